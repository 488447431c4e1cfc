import { runReferenceNode } from "./kvNode.js"

runReferenceNode("local")
