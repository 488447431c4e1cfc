import { Effect, FiberSet, Random, type Scope } from "effect"
import type { NetworkShape } from "../services/Network.js"
import type { Envelope, NodeId } from "../src/protocol/envelope.js"
import { makeNetworkCore } from "./networkCore.js"

/** How node-to-node messages travel in a simulated cluster. Client messages are instant and never cut. */
export interface SimulatedNetworkOptions {
  /** One-way latency of a node-to-node message, uniform in [min, max] milliseconds. */
  readonly minLatencyMs: number
  readonly maxLatencyMs: number
}

/**
 * Many nodes (and clients) in one process. All waiting goes through Effect's
 * Clock and all chance through Effect's Random, so under TestClock and a
 * seeded Random a run replays exactly.
 */
export interface SimulatedNetwork {
  /** The Network service of one endpoint (server node or client); it replaces any earlier one of that id. */
  readonly attach: (id: NodeId) => Effect.Effect<NetworkShape>
  /** Detaches an endpoint (a crashed node): messages to it are dropped until it attaches again. */
  readonly detach: (id: NodeId) => Effect.Effect<void>
  /** Cuts every node-to-node link between different groups; nodes in no group are cut from all. */
  readonly partition: (groups: ReadonlyArray<ReadonlyArray<NodeId>>) => Effect.Effect<void>
  readonly heal: Effect.Effect<void>
  /** Node-to-node messages sent, and dropped at a cut or at a detached endpoint. */
  readonly stats: () => { readonly sent: number; readonly dropped: number }
}

export const makeSimulatedNetwork = (
  nodeIds: ReadonlyArray<NodeId>,
  options: SimulatedNetworkOptions
): Effect.Effect<SimulatedNetwork, never, Scope.Scope> =>
  Effect.gen(function*() {
    const servers = new Set(nodeIds)
    const inFlight = yield* FiberSet.make()
    const endpoints = new Map<NodeId, (envelope: Envelope) => Effect.Effect<void>>()
    let groupOf: Map<NodeId, number> | null = null
    let sent = 0
    let dropped = 0

    const linked = (from: NodeId, to: NodeId) => {
      if (groupOf === null || !servers.has(from) || !servers.has(to)) return true
      const a = groupOf.get(from)
      return a !== undefined && a === groupOf.get(to)
    }

    const arrive = (envelope: Envelope) =>
      Effect.suspend(() => {
        const deliver = endpoints.get(envelope.dest)
        if (deliver === undefined) {
          dropped++
          return Effect.void
        }
        return deliver(envelope)
      })

    const transmit = (envelope: Envelope): Effect.Effect<void> =>
      Effect.gen(function*() {
        const betweenServers = servers.has(envelope.src) && servers.has(envelope.dest)
        if (!betweenServers) return yield* arrive(envelope)
        sent++
        if (!linked(envelope.src, envelope.dest)) {
          dropped++
          return
        }
        const latency = yield* Random.nextIntBetween(options.minLatencyMs, options.maxLatencyMs + 1)
        // Checked again on arrival: a partition that starts while a message travels cuts it too.
        const travel = Effect.sleep(latency).pipe(
          Effect.zipRight(Effect.suspend(() => {
            if (linked(envelope.src, envelope.dest)) return arrive(envelope)
            dropped++
            return Effect.void
          }))
        )
        yield* FiberSet.run(inFlight, travel)
      })

    return {
      attach: (id) =>
        Effect.gen(function*() {
          const core = yield* makeNetworkCore({ self: id, nodeIds, transmit })
          endpoints.set(id, core.deliver)
          return core.network
        }),
      detach: (id) => Effect.sync(() => void endpoints.delete(id)),
      partition: (groups) =>
        Effect.sync(() => {
          groupOf = new Map(groups.flatMap((group, index) => group.map((id) => [id, index] as const)))
        }),
      heal: Effect.sync(() => void (groupOf = null)),
      stats: () => ({ sent, dropped })
    }
  })
