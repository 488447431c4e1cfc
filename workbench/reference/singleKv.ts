import { runReferenceNode } from "./kvNode.js"

runReferenceNode("single")
