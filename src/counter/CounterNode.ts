import { Effect } from "effect"
import { Network } from "../../services/Network.js"
import { runRaftNode } from "../raft/RaftNode.js"
import { makeCounterApplication } from "./CounterApplication.js"

/** A counter node: the Raft engine with the counter application on it. */
export const runCounterNode = Effect.flatMap(Network, (network) => runRaftNode((raft) => makeCounterApplication(raft, network)))
