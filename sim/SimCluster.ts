import { Cause, Effect, Exit, FiberMap, HashMap, Layer, List, Logger, type LogLevel, type Scope } from "effect"
import { FileLog } from "../layers/FileLog.js"
import { Disk, type DiskShape } from "../services/Disk.js"
import { makeSimulatedNetwork, type MessageFaults, type NetworkEvent, type SimulatedNetwork } from "./SimulatedNetwork.js"
import { type LatencyDistribution, sampleLatency } from "../linkv/latency.js"
import { Log, LogError, type LogShape } from "../services/Log.js"
import { Network, type NetworkShape } from "../services/Network.js"
import { defaultRaftConfig, RaftConfig, type RaftConfigShape } from "../services/RaftConfig.js"
import { RaftObserver, type Role } from "../services/RaftObserver.js"
import type { Entry } from "../services/Log.js"
import type { NodeId } from "../services/Network.js"
import { productRaftRules, RaftRules, type RaftRulesShape } from "../src/raft/RaftRules.js"
import type { BrokenVariant } from "./brokenVariants.js"
import { describeEnvelope } from "./describeMessage.js"
import { type AppendEntriesSeen, InvariantMonitor } from "./InvariantMonitor.js"
import { linKvSimApplication } from "./linKvApplication.js"
import { monitoredLog } from "./MonitoredLog.js"
import { NodeClock } from "./NodeClock.js"
import type { SimApplication } from "./SimApplication.js"
import { SimulatedDisk } from "./SimulatedDisk.js"
import type { Trace } from "./Trace.js"
import type { Violation } from "./Violation.js"

/** What one simulated node reported about itself. */
export interface NodeReport {
  readonly roleChanges: Array<{ readonly atMs: number; readonly term: number; readonly role: Role; readonly leaderId: NodeId | null }>
  readonly applied: Array<{ readonly index: number; readonly entry: Entry }>
  /** The last entry applied, or restored from a snapshot. */
  lastApplied: number
  commitIndex: number
}

export interface SimClusterOptions {
  readonly nodeIds: ReadonlyArray<NodeId>
  readonly network: { readonly latency: LatencyDistribution; readonly faults?: MessageFaults }
  readonly config?: Partial<RaftConfigShape>
  /** Each node's disk as it behaves (slow, say), around the simulated disk; a broken variant's wrapping goes around it. */
  readonly disk?: (node: NodeId, disk: DiskShape) => DiskShape
  /** What every node runs on the Raft engine: lin-kv unless given. */
  readonly application?: SimApplication
  /** The product's services unless a test swaps in a deliberately broken one (sim/brokenVariants.ts). */
  readonly broken?: BrokenVariant
  /** Where every event goes, described on one line; without one, events are not even described. */
  readonly trace?: Trace
  /** Called at the first broken invariant (and every later one). */
  readonly onViolation?: (violation: Violation) => void
  /**
   * When given, each node runs on a clock of its own (sim/NodeClock.ts), at
   * this rate (1 for a node not named), and can be paused; without it, every
   * node runs on the simulation's clock.
   */
  readonly clockRates?: ReadonlyMap<NodeId, number>
}

/** Where each node keeps its log on its simulated disk. */
export const logDirectory = "/var/lib/raft"
/** The file of a node's log on its simulated disk (as FileLog names it). */
export const logFileOf = (node: NodeId): string => `${logDirectory}/${node}.log`

/**
 * A Raft cluster in one process, on a simulated network; each node runs an
 * application (lin-kv unless told otherwise) on the product's Raft engine and
 * FileLog, on its own simulated disk, which keeps across a crash what a real
 * disk would.
 */
export interface SimCluster {
  readonly nodeIds: ReadonlyArray<NodeId>
  readonly network: SimulatedNetwork
  readonly disks: ReadonlyMap<NodeId, SimulatedDisk>
  /** Per node, per incarnation (a restart starts a new report). */
  readonly reports: Map<NodeId, Array<NodeReport>>
  /** Nodes that stopped with a failure (a broken invariant inside Raft dies loudly). */
  readonly failures: Array<{ readonly node: NodeId; readonly cause: Cause.Cause<unknown> }>
  /** Every broken invariant so far, in the order found. */
  readonly violations: ReadonlyArray<Violation>
  /** Starts a node that is down (every node starts with the cluster). */
  readonly start: (node: NodeId) => Effect.Effect<void>
  /** Stops a node at once: its disk keeps what a power loss keeps (sim/SimulatedDisk.ts), everything else is lost. */
  readonly crash: (node: NodeId) => Effect.Effect<void>
  readonly isRunning: (node: NodeId) => boolean
  /**
   * Freezes a running node, as SIGSTOP does: its timers and what arrives
   * for it wait until it resumes; its clock runs on. Only with `clockRates`.
   */
  readonly pause: (node: NodeId) => Effect.Effect<void>
  /** Lets a paused node run again, as SIGCONT does: it takes in what waited, with the state it had. */
  readonly resume: (node: NodeId) => Effect.Effect<void>
  readonly isPaused: (node: NodeId) => boolean
  /** The role each running node last reported, with the leader it follows (itself when leading). */
  readonly currentRoles: () => ReadonlyMap<NodeId, { readonly term: number; readonly role: Role; readonly leaderId: NodeId | null }>
  /** The current incarnation's report of a node (undefined before its first start). */
  readonly currentReport: (node: NodeId) => NodeReport | undefined
  /** An endpoint for a client with this id, for as long as the caller's scope lasts. */
  readonly client: (id: string) => Effect.Effect<NetworkShape, never, Scope.Scope>
  /** Writes a line into the trace at the current simulated time. */
  readonly note: (text: string) => void
  /** A fault damaged a down node's storage: it may come back without entries it knew committed (see InvariantMonitor). */
  readonly storageLost: (node: NodeId) => void
  /** The highest index any node's log holds: every entry committed so far is at or below it. */
  readonly highestLogIndex: () => number
  /** How far a node's log is durable (0 before its first start). */
  readonly durableLastIndex: (node: NodeId) => number
}

/** Nodes' own log lines (Info and above) go into the trace, not to the console. */
const traceLogger = (note: (text: string) => void) =>
  Logger.make<unknown, void>(({ annotations, logLevel, message }) => {
    const node = HashMap.get(annotations, "node")
    const text = List.isList(message) ? List.toArray(message).map(String).join(" ") : String(message)
    note(`${node._tag === "Some" ? String(node.value) : "?"} ${(logLevel as LogLevel.LogLevel).label}: ${text}`)
  })

export const makeSimCluster = (options: SimClusterOptions): Effect.Effect<SimCluster, never, Scope.Scope> =>
  Effect.gen(function*() {
    const { nodeIds } = options
    const application = options.application ?? linKvSimApplication
    const clock = yield* Effect.clock
    const trace = options.trace
    const note = trace === undefined ? () => {} : (text: string) => trace.record(clock.unsafeCurrentTimeMillis(), text)
    const monitor = new InvariantMonitor(application.initialState, () => clock.unsafeCurrentTimeMillis(), (violation) => {
      note(`VIOLATION ${violation.invariant}: ${violation.detail}`)
      options.onViolation?.(violation)
    }, nodeIds)
    const clockRates = options.clockRates
    const nodeClocks = new Map(
      clockRates === undefined ? [] : nodeIds.map((id) => [id, new NodeClock(clock, clockRates.get(id) ?? 1)] as const)
    )
    const network = yield* makeSimulatedNetwork(nodeIds, {
      ...options.network,
      ...(clockRates === undefined ? {} : { travelClock: clock }),
      latency: sampleLatency(options.network.latency),
      onEvent: (event: NetworkEvent) => {
        // Whatever becomes of it, what a leader sends is a fact about what it knew.
        const { envelope } = event
        if ((event._tag === "Sent" || event._tag === "Dropped") && envelope.body.type === "append_entries") {
          monitor.appendEntriesSent(envelope.src, envelope.body as unknown as AppendEntriesSeen)
        }
        if (trace === undefined) return
        switch (event._tag) {
          case "Sent":
            return note(`send ${describeEnvelope(envelope)} (+${event.latencies.join(", +")} ms)`)
          case "Delivered":
            return note(`recv ${describeEnvelope(envelope)}`)
          case "Dropped":
            return note(`drop (${event.reason}) ${describeEnvelope(envelope)}`)
          case "Held":
            return note(`held (${envelope.dest} paused) ${describeEnvelope(envelope)}`)
        }
      }
    })
    const running = yield* FiberMap.make<NodeId>()
    const disks = new Map(nodeIds.map((id) => [id, new SimulatedDisk()]))
    const reports = new Map<NodeId, Array<NodeReport>>(nodeIds.map((id) => [id, []]))
    const failures: SimCluster["failures"] = []
    const config = { ...defaultRaftConfig, ...options.config }
    const behaving = options.disk ?? ((_node: NodeId, disk: DiskShape) => disk)
    const broken = options.broken?.wrapDisk ?? ((disk: DiskShape) => disk)
    const wrapDisk = (node: NodeId, disk: DiskShape) => broken(behaving(node, disk))
    const wrapLog = options.broken?.wrapLog ?? Effect.succeed
    const wrapNetwork = options.broken?.wrapNetwork ?? ((network: NetworkShape) => network)
    const rules: RaftRulesShape = { ...productRaftRules, ...options.broken?.rules }
    const applicationRules = options.broken?.applicationRules ?? Layer.empty
    const logger = traceLogger(note)
    /** Each node's log as its latest incarnation opened it. */
    const logs = new Map<NodeId, LogShape>()
    const scope = yield* Effect.scope

    const observerFor = (node: NodeId, report: NodeReport) =>
      Layer.succeed(RaftObserver, {
        roleChanged: (change) =>
          Effect.sync(() => {
            note(`${node} is ${change.role} in term ${change.term}${change.leaderId === null ? "" : `, leader ${change.leaderId}`}`)
            report.roleChanges.push({ atMs: clock.unsafeCurrentTimeMillis(), ...change })
            monitor.roleChanged(node, change.term, change.role)
          }),
        committed: (commitIndex) =>
          Effect.sync(() => {
            note(`${node} commit index ${commitIndex}`)
            report.commitIndex = commitIndex
            monitor.committed(node, commitIndex)
          }),
        applied: (index, entry) =>
          Effect.sync(() => {
            report.applied.push({ index, entry })
            report.lastApplied = index
            monitor.applied(node, index, entry)
          }),
        restored: (lastIndex) =>
          Effect.sync(() => {
            note(`${node} restored the snapshot of entries up to ${lastIndex}`)
            report.lastApplied = lastIndex
            monitor.restored(node, lastIndex)
          })
      })

    const start = (node: NodeId) =>
      Effect.gen(function*() {
        note(`${node} starts`)
        const report: NodeReport = { roleChanges: [], applied: [], lastApplied: 0, commitIndex: 0 }
        reports.get(node)!.push(report)
        monitor.started(node)
        const simulatedDisk = disks.get(node)!
        const injectedBefore = simulatedDisk.injectedFailures
        const disk = Layer.succeed(Disk, wrapDisk(node, simulatedDisk.shape))
        // The log as the node recovered it from its disk is what the monitor checks from now on.
        const log = Layer.effect(
          Log,
          Effect.gen(function*() {
            const opened = yield* Effect.flatMap(Log, wrapLog)
            monitor.registerLog(node, opened)
            logs.set(node, opened)
            return monitoredLog(node, opened, monitor, note)
          })
        ).pipe(Layer.provide(FileLog(logDirectory)), Layer.provide(disk))
        const services = Layer.mergeAll(
          log,
          observerFor(node, report),
          Layer.succeed(RaftConfig, config),
          Layer.succeed(RaftRules, rules),
          applicationRules
        ).pipe(Layer.provideMerge(Layer.scoped(Network, Effect.map(network.attach(node), wrapNetwork))))
        const program = application.runNode.pipe(
          Effect.provide(services),
          Effect.onExit((exit) =>
            Exit.isFailure(exit) && !Cause.isInterruptedOnly(exit.cause)
              ? Effect.suspend(() => {
                const reason = Cause.pretty(exit.cause).split("\n")[0] ?? ""
                // A node that stops on its log's error after its disk gave an injected one did what it must.
                if (simulatedDisk.injectedFailures > injectedBefore && Cause.squash(exit.cause) instanceof LogError) {
                  note(`${node} stopped on its disk's error: ${reason}`)
                  monitor.crashed(node)
                  // A disk healed already is the operator's cue to start it again (the fault's end starts the others).
                  return simulatedDisk.failing ? Effect.void : restartSoon(node)
                }
                failures.push({ node, cause: exit.cause })
                monitor.nodeFailed(node, reason)
                return Effect.void
              })
              : Effect.void
          ),
          Effect.annotateLogs("node", node),
          Effect.provide(Logger.replace(Logger.defaultLogger, logger))
        )
        const nodeClock = nodeClocks.get(node)
        yield* FiberMap.run(running, node, nodeClock === undefined ? program : Effect.withClock(program, nodeClock))
      })

    /** Starts a node that stopped by itself, a moment later, unless something else has started it by then. */
    const restartSoon = (node: NodeId): Effect.Effect<void> =>
      Effect.asVoid(Effect.forkIn(Effect.delay(Effect.suspend(() => isRunning(node) ? Effect.void : start(node)), 1), scope))

    const crash = (node: NodeId) =>
      Effect.gen(function*() {
        note(`${node} crashes`)
        monitor.crashed(node)
        yield* network.detach(node)
        // Killed while paused (SIGKILL reaches a stopped process): what it held dies with it.
        nodeClocks.get(node)?.reset()
        yield* disks.get(node)!.crash
        yield* FiberMap.remove(running, node)
      })

    const isRunning = (node: NodeId) => FiberMap.unsafeHas(running, node)

    const clockOf = (node: NodeId) => {
      const nodeClock = nodeClocks.get(node)
      if (nodeClock === undefined) throw new Error(`${node} has no clock of its own: a cluster made without clockRates cannot pause`)
      return nodeClock
    }
    const pause = (node: NodeId) =>
      Effect.suspend(() => {
        const nodeClock = clockOf(node)
        if (nodeClock.isPaused || !isRunning(node)) return Effect.void
        note(`${node} paused`)
        nodeClock.pause()
        return network.hold(node)
      })
    const resume = (node: NodeId) =>
      Effect.suspend(() => {
        const nodeClock = nodeClocks.get(node)
        if (nodeClock === undefined || !nodeClock.isPaused) return Effect.void
        note(`${node} resumed`)
        nodeClock.resume()
        return network.release(node)
      })

    const currentRoles = () => {
      const roles = new Map<NodeId, { term: number; role: Role; leaderId: NodeId | null }>()
      for (const [node, incarnations] of reports) {
        const last = incarnations.at(-1)?.roleChanges.at(-1)
        if (last !== undefined && isRunning(node)) roles.set(node, last)
      }
      return roles
    }

    for (const node of nodeIds) yield* start(node)
    return {
      nodeIds,
      network,
      disks,
      reports,
      failures,
      violations: monitor.violations,
      start,
      crash,
      isRunning,
      pause,
      resume,
      isPaused: (node) => nodeClocks.get(node)?.isPaused ?? false,
      currentRoles,
      currentReport: (node) => reports.get(node)?.at(-1),
      client: network.attach,
      note,
      storageLost: (node) => monitor.storageLost(node),
      highestLogIndex: () => monitor.highestLogIndex(),
      durableLastIndex: (node) => logs.get(node)?.durableLastIndex() ?? 0
    }
  })
