import { Cause, Clock, Effect, Exit, FiberMap, Layer, type Scope } from "effect"
import { KvStateMachine } from "../layers/KvStateMachine.js"
import { emptyMemoryLogStorage, memoryLogFrom, type MemoryLogStorage } from "../layers/MemoryLog.js"
import { makeSimulatedNetwork, type SimulatedNetwork, type SimulatedNetworkOptions } from "../layers/SimulatedNetwork.js"
import { Network, type NetworkShape } from "../services/Network.js"
import { defaultRaftConfig, RaftConfig, type RaftConfigShape } from "../services/RaftConfig.js"
import { RaftObserver, type Role } from "../services/RaftObserver.js"
import type { NodeId } from "../src/protocol/envelope.js"
import type { Entry } from "../src/protocol/raftMessages.js"
import { runRaftNode } from "../src/raft/RaftNode.js"

/** What one simulated node reported about itself. */
export interface NodeReport {
  readonly roleChanges: Array<{ readonly atMs: number; readonly term: number; readonly role: Role; readonly leaderId: NodeId | null }>
  readonly applied: Array<{ readonly index: number; readonly entry: Entry }>
  commitIndex: number
}

/** A Raft cluster in one process, on a simulated network, with durable storage kept across crashes. */
export interface SimCluster {
  readonly nodeIds: ReadonlyArray<NodeId>
  readonly network: SimulatedNetwork
  readonly storage: ReadonlyMap<NodeId, MemoryLogStorage>
  /** Per node, per incarnation (a restart starts a new report). */
  readonly reports: Map<NodeId, Array<NodeReport>>
  /** Nodes that stopped with a failure (a broken invariant inside Raft dies loudly). */
  readonly failures: Array<{ readonly node: NodeId; readonly cause: Cause.Cause<unknown> }>
  readonly start: (node: NodeId) => Effect.Effect<void>
  /** Stops a node at once; its log and hard state survive, everything else is lost. */
  readonly crash: (node: NodeId) => Effect.Effect<void>
  /** The role each running node last reported. */
  readonly currentRoles: () => ReadonlyMap<NodeId, { readonly term: number; readonly role: Role }>
  /** An endpoint for a client with this id. */
  readonly client: (id: string) => Effect.Effect<NetworkShape>
}

export const makeSimCluster = (options: {
  readonly nodeIds: ReadonlyArray<NodeId>
  readonly network: SimulatedNetworkOptions
  readonly config?: Partial<RaftConfigShape>
}): Effect.Effect<SimCluster, never, Scope.Scope> =>
  Effect.gen(function*() {
    const { nodeIds } = options
    const network = yield* makeSimulatedNetwork(nodeIds, options.network)
    const running = yield* FiberMap.make<NodeId>()
    const storage = new Map(nodeIds.map((id) => [id, emptyMemoryLogStorage()]))
    const reports = new Map<NodeId, Array<NodeReport>>(nodeIds.map((id) => [id, []]))
    const failures: SimCluster["failures"] = []
    const config = { ...defaultRaftConfig, ...options.config }

    const observerFor = (report: NodeReport) =>
      Layer.succeed(RaftObserver, {
        roleChanged: (change) =>
          Effect.map(Clock.currentTimeMillis, (atMs) => void report.roleChanges.push({ atMs, ...change })),
        committed: (commitIndex) => Effect.sync(() => void (report.commitIndex = commitIndex)),
        applied: (index, entry) => Effect.sync(() => void report.applied.push({ index, entry }))
      })

    const start = (node: NodeId) =>
      Effect.gen(function*() {
        const report: NodeReport = { roleChanges: [], applied: [], commitIndex: 0 }
        reports.get(node)!.push(report)
        const services = Layer.mergeAll(
          Layer.effect(Network, network.attach(node)),
          memoryLogFrom(storage.get(node)!),
          KvStateMachine,
          observerFor(report),
          Layer.succeed(RaftConfig, config)
        )
        const program = runRaftNode.pipe(
          Effect.provide(services),
          Effect.onExit((exit) =>
            Exit.isFailure(exit) && !Cause.isInterruptedOnly(exit.cause)
              ? Effect.sync(() => void failures.push({ node, cause: exit.cause }))
              : Effect.void
          ),
          Effect.annotateLogs("node", node)
        )
        yield* FiberMap.run(running, node, program)
      })

    const crash = (node: NodeId) =>
      Effect.gen(function*() {
        yield* network.detach(node)
        yield* FiberMap.remove(running, node)
      })

    const currentRoles = () => {
      const roles = new Map<NodeId, { term: number; role: Role }>()
      for (const [node, incarnations] of reports) {
        const last = incarnations.at(-1)?.roleChanges.at(-1)
        if (last !== undefined && FiberMap.unsafeHas(running, node)) roles.set(node, last)
      }
      return roles
    }

    for (const node of nodeIds) yield* start(node)
    return { nodeIds, network, storage, reports, failures, start, crash, currentRoles, client: network.attach }
  })
