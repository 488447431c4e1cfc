import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { defaultTeardown } from "@effect/platform/Runtime"
import { Cause, Console, Effect, Exit, Layer, Option } from "effect"
import { FileLog } from "../layers/FileLog.js"
import { KvStateMachine } from "../layers/KvStateMachine.js"
import { LoggingRaftObserver } from "../layers/LoggingRaftObserver.js"
import { MaelstromNetwork } from "../layers/MaelstromNetwork.js"
import { MemoryLog } from "../layers/MemoryLog.js"
import { monotonicClock } from "../layers/MonotonicClock.js"
import { NodeDisk } from "../layers/NodeDisk.js"
import { NodeStatsLog } from "../layers/NodeStats.js"
import { StderrLogger } from "../foundation/StderrLogger.js"
import type { ClientGateway } from "../services/ClientGateway.js"
import { Network } from "../services/Network.js"
import { NodeStartup } from "../services/NodeStartup.js"
import { RaftConfig } from "../services/RaftConfig.js"
import { describeFailure } from "../foundation/describeFailure.js"
import { runKvNodeWith } from "./kv/KvNode.js"
import { KvQuota } from "./kv/KvQuota.js"
import { describeNodeSettings } from "./options/describeNodeSettings.js"
import { readNodeCommand } from "./options/nodeCommand.js"
import type { NodeSettings } from "./options/nodeSettings.js"
import { nodeUsage, refusalReport, serveUsage } from "./options/nodeUsage.js"
import { NodeUsageError } from "./options/NodeUsageError.js"
import type { ServeSettings } from "./options/serveSettings.js"

/** A durable log in the data directory when one is given, else a log in memory. */
const chosenLog = (dataDir: Option.Option<string>) =>
  Option.match(dataDir, { onNone: () => MemoryLog, onSome: (directory) => FileLog(directory).pipe(Layer.provide(NodeDisk)) })

/**
 * The lin-kv node: a Raft-replicated key-value store over the network (and
 * beside the services) given. The network's NodeStartup hears once the log
 * is read and every service is built, or why the node cannot start.
 */
const runNodeOver = <Provided extends Network | NodeStartup | ClientGateway, E>(
  settings: NodeSettings,
  network: Layer.Layer<Provided | Network | NodeStartup, E>,
  beside: Layer.Layer<never, unknown, Provided> = Layer.empty
) => {
  const NodeServices = Layer.mergeAll(
    chosenLog(settings.dataDir),
    KvStateMachine,
    LoggingRaftObserver,
    NodeStatsLog,
    Layer.succeed(RaftConfig, settings.raft),
    Layer.succeed(KvQuota, { quotaBytes: settings.quotaBytes }),
    beside
  ).pipe(
    Layer.tapErrorCause((cause) => Effect.flatMap(NodeStartup, (startup) => startup.cannotStart(describeFailure(cause)))),
    Layer.tap(() => Effect.flatMap(Network, ({ self }) => Effect.logInfo(describeNodeSettings(settings, self)))),
    Layer.tap(() => Effect.flatMap(NodeStartup, (startup) => startup.ready)),
    Layer.provideMerge(network)
  )
  // SIGTERM is a graceful stop: a leader hands over first.
  return runKvNodeWith({ handOverWhenInterrupted: true }).pipe(
    Effect.provide(NodeServices),
    // Spans are measured on a clock that never jumps: leases depend on it.
    Effect.withClock(monotonicClock()),
    Effect.tapErrorCause((cause) => Effect.logError(`node stopped: ${describeFailure(cause)}`, cause))
  )
}

/**
 * The Maelstrom lin-kv node, speaking JSON lines on stdio. Init is answered
 * once the node is ready, or with why it cannot start.
 */
const runNode = (settings: NodeSettings) => runNodeOver(settings, MaelstromNetwork)

/**
 * The same node served for real: peers over TCP, clients over HTTP on its
 * host. SIGTERM or SIGINT interrupts it, and a leader hands over first.
 */
const serveNode = (settings: NodeSettings, serve: ServeSettings) =>
  Effect.gen(function*() {
    // Loaded only when served: a node run by Maelstrom does not pay the HTTP server's memory (11 MB of an idle node's 86).
    const { HttpClientApi } = yield* Effect.promise(() => import("../layers/HttpClientApi.js"))
    const { TcpNetwork } = yield* Effect.promise(() => import("../layers/TcpNetwork.js"))
    const own = serve.peers.find(({ id }) => id === serve.self)!
    const clientApi = HttpClientApi({
      host: own.host,
      port: serve.clientPort,
      // The node answers a request it could not settle with a timeout of its own after the request timeout.
      answerTimeoutMs: settings.raft.requestTimeoutMs + 2_000
    })
    return yield* runNodeOver(settings, TcpNetwork(serve), clientApi)
  })

/** Flags and environment are checked before stdin is read: a node that cannot run as asked does not start. */
const program = readNodeCommand(process.argv.slice(2)).pipe(
  Effect.tapError((error) => Console.error(refusalReport(error))),
  Effect.flatMap((command) =>
    command._tag === "ShowHelp"
      ? Console.log(command.mode === "serve" ? serveUsage : nodeUsage)
      : command._tag === "Serve"
      ? serveNode(command.settings, command.serve)
      : runNode(command.settings)
  ),
  Effect.provide(StderrLogger(process.env["RAFT_LOG_LEVEL"]))
)

/** A refused command line exits 2, as usage errors do; anything else as runMain decides (1 on failure). */
const exitCode: typeof defaultTeardown = (exit, onExit) =>
  Exit.isFailure(exit) && Option.exists(Cause.failureOption(exit.cause), (error) => error instanceof NodeUsageError)
    ? onExit(2)
    : defaultTeardown(exit, onExit)

// runMain's own error report and pretty logger write to stdout, which is the wire: both off.
NodeRuntime.runMain(program, { disableErrorReporting: true, disablePrettyLogger: true, teardown: exitCode })
