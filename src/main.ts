import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Effect, Layer, Option } from "effect"
import { FileLog } from "../layers/FileLog.js"
import { KvStateMachine } from "../layers/KvStateMachine.js"
import { LoggingRaftObserver } from "../layers/LoggingRaftObserver.js"
import { MaelstromNetwork } from "../layers/MaelstromNetwork.js"
import { MemoryLog } from "../layers/MemoryLog.js"
import { NodeDisk } from "../layers/NodeDisk.js"
import { NodeStatsLog } from "../layers/NodeStats.js"
import { dataDirectory, nodeConfigProvider, RaftConfigFromFlagsAndEnvironment } from "../layers/RaftConfigFromFlagsAndEnvironment.js"
import { StderrLogger } from "../layers/StderrLogger.js"
import { NodeStartup } from "../services/NodeStartup.js"
import { describeFailure } from "./describeFailure.js"
import { runKvNode } from "./kv/KvNode.js"

const args = process.argv.slice(2)

/** A durable log in `--data-dir` / RAFT_DATA_DIR when given, else a log in memory. */
const ChosenLog = Layer.unwrapEffect(
  Effect.map(
    Effect.withConfigProvider(dataDirectory, nodeConfigProvider(args)),
    Option.match({ onNone: () => MemoryLog, onSome: (directory) => FileLog(directory).pipe(Layer.provide(NodeDisk)) })
  )
)

/**
 * The Maelstrom lin-kv node: a Raft-replicated key-value store speaking JSON
 * lines on stdio. Init is answered once the log is read and every service is
 * built, so a node that cannot start says why in its answer to init.
 */
const NodeServices = Layer.mergeAll(
  ChosenLog,
  KvStateMachine,
  LoggingRaftObserver,
  NodeStatsLog,
  RaftConfigFromFlagsAndEnvironment(args)
).pipe(
  Layer.tapErrorCause((cause) => Effect.flatMap(NodeStartup, (startup) => startup.cannotStart(describeFailure(cause)))),
  Layer.tap(() => Effect.flatMap(NodeStartup, (startup) => startup.ready)),
  Layer.provideMerge(MaelstromNetwork)
)

const program = runKvNode.pipe(
  Effect.provide(NodeServices),
  Effect.tapErrorCause((cause) => Effect.logError(`node stopped: ${describeFailure(cause)}`, cause)),
  Effect.provide(StderrLogger(process.env["RAFT_LOG_LEVEL"]))
)

// runMain's own error report and pretty logger write to stdout, which is the wire: both off.
NodeRuntime.runMain(program, { disableErrorReporting: true, disablePrettyLogger: true })
