import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Effect, Layer } from "effect"
import { KvStateMachine } from "../layers/KvStateMachine.js"
import { LoggingRaftObserver } from "../layers/LoggingRaftObserver.js"
import { MaelstromNetwork } from "../layers/MaelstromNetwork.js"
import { MemoryLog } from "../layers/MemoryLog.js"
import { RaftConfigFromEnvironment } from "../layers/RaftConfigFromEnvironment.js"
import { StderrLogger } from "../layers/StderrLogger.js"
import { runRaftNode } from "./raft/RaftNode.js"

/** The Maelstrom lin-kv node: a Raft-replicated key-value store speaking JSON lines on stdio. */
const NodeServices = Layer.mergeAll(
  MaelstromNetwork,
  MemoryLog,
  KvStateMachine,
  LoggingRaftObserver,
  RaftConfigFromEnvironment(process.argv.slice(2))
)

const program = runRaftNode.pipe(
  Effect.provide(NodeServices),
  Effect.tapErrorCause((cause) => Effect.logError("node stopped", cause)),
  Effect.provide(StderrLogger(process.env["RAFT_LOG_LEVEL"]))
)

// runMain's own error report and pretty logger write to stdout, which is the wire: both off.
NodeRuntime.runMain(program, { disableErrorReporting: true, disablePrettyLogger: true })
