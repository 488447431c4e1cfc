import { type Clock, Duration, Effect, FiberSet, Random, type Scope } from "effect"
import type { NetworkShape } from "../services/Network.js"
import type { Envelope, NodeId } from "../src/protocol/envelope.js"
import { makeNetworkCore } from "../src/network/networkCore.js"

/** Draws how long one node-to-node message travels one way, in milliseconds (from the run's Random). */
export type Delay = Effect.Effect<number>

/** Chances, each in [0, 1], applied to every node-to-node message independently. */
export interface MessageFaults {
  /** The message vanishes. */
  readonly loss: number
  /** A second copy arrives too, with its own latency. */
  readonly duplication: number
  /** The message is held back by up to `reorderDelayMs` more, so later ones overtake it. */
  readonly reordering: number
  readonly reorderDelayMs: number
}

export const noMessageFaults: MessageFaults = { loss: 0, duplication: 0, reordering: 0, reorderDelayMs: 0 }

/** What happened to a message, for a simulation's trace. */
export type NetworkEvent =
  | { readonly _tag: "Sent"; readonly envelope: Envelope; readonly latencies: ReadonlyArray<number> }
  | { readonly _tag: "Delivered"; readonly envelope: Envelope }
  | { readonly _tag: "Dropped"; readonly envelope: Envelope; readonly reason: "cut" | "lost" | "unattached" }
  /** Arrived at a paused endpoint: it waits there, as in a socket's buffer, until the endpoint resumes. */
  | { readonly _tag: "Held"; readonly envelope: Envelope }

/** How node-to-node messages travel in a simulated cluster. Client messages are instant and never cut. */
export interface SimulatedNetworkOptions {
  /** The latency of every link without one of its own. */
  readonly latency: Delay
  readonly faults?: MessageFaults
  /** Told of every message's fate, synchronously, in order. */
  readonly onEvent?: (event: NetworkEvent) => void
  /**
   * The clock messages travel by. Without it, the sender's: where each node
   * has a clock of its own (sim/NodeClock.ts), the shared one is given, so
   * that what a node sent before a pause still arrives meanwhile.
   */
  readonly travelClock?: Clock.Clock
}

/** A one-way link between two server nodes. */
export type Link = readonly [from: NodeId, to: NodeId]

/**
 * Many nodes (and clients) in one process. All waiting goes through Effect's
 * Clock and all chance through Effect's Random, so on a simulated clock and a
 * seeded Random a run replays exactly.
 */
export interface SimulatedNetwork {
  /**
   * The Network service of one endpoint (server node or client); it replaces
   * any earlier one of that id. Its RPC timers live in the caller's scope.
   */
  readonly attach: (id: NodeId) => Effect.Effect<NetworkShape, never, Scope.Scope>
  /** Detaches an endpoint (a crashed node): messages to it (held ones too) are dropped until it attaches again. */
  readonly detach: (id: NodeId) => Effect.Effect<void>
  /** Holds what arrives for an endpoint (a paused node) instead of delivering it. */
  readonly hold: (id: NodeId) => Effect.Effect<void>
  /** Delivers what was held for an endpoint, in the order it arrived, and delivers again as it comes. */
  readonly release: (id: NodeId) => Effect.Effect<void>
  /** Cuts every node-to-node link between different groups; nodes in no group are cut from all. */
  readonly partition: (groups: ReadonlyArray<ReadonlyArray<NodeId>>) => Effect.Effect<void>
  /**
   * Cuts exactly these one-way links (any shape, asymmetric ones included),
   * replacing earlier cuts. Messages already travelling a cut link are lost
   * too, unless `inFlightArrives`: then they still arrive (late, duplicated,
   * reordered), and only what is sent from now on is cut.
   */
  readonly cut: (links: ReadonlyArray<Link>, options?: { readonly inFlightArrives?: boolean }) => Effect.Effect<void>
  /** Restores every link. */
  readonly heal: Effect.Effect<void>
  /** Gives one link its own latency (a slow link), or back the default with null. */
  readonly setLinkLatency: (link: Link, latency: Delay | null) => Effect.Effect<void>
  readonly setFaults: (faults: MessageFaults) => Effect.Effect<void>
  /** Node-to-node messages sent, and dropped at a cut, by loss, or at a detached endpoint. */
  readonly stats: () => { readonly sent: number; readonly dropped: number }
}

const linkKey = (from: NodeId, to: NodeId) => `${from}>${to}`

const chance = (probability: number): Effect.Effect<boolean> =>
  probability <= 0 ? Effect.succeed(false) : Effect.map(Random.next, (x) => x < probability)

export const makeSimulatedNetwork = (
  nodeIds: ReadonlyArray<NodeId>,
  options: SimulatedNetworkOptions
): Effect.Effect<SimulatedNetwork, never, Scope.Scope> =>
  Effect.gen(function*() {
    const servers = new Set(nodeIds)
    const inFlight = yield* FiberSet.make()
    const endpoints = new Map<NodeId, (envelope: Envelope) => Effect.Effect<void>>()
    const linkLatency = new Map<string, Delay>()
    const onEvent = options.onEvent ?? (() => {})
    let cuts = new Set<string>()
    /** Whether the current cuts spare messages sent before them. */
    let inFlightArrives = false
    let faults = options.faults ?? noMessageFaults
    let sent = 0
    let dropped = 0
    /** What arrived for each paused endpoint, in order. */
    const held = new Map<NodeId, Array<Envelope>>()

    const linked = (from: NodeId, to: NodeId) => !cuts.has(linkKey(from, to))

    const drop = (envelope: Envelope, reason: "cut" | "lost" | "unattached") => {
      dropped++
      onEvent({ _tag: "Dropped", envelope, reason })
    }

    const arrive = (envelope: Envelope) =>
      Effect.suspend(() => {
        const holding = held.get(envelope.dest)
        if (holding !== undefined) {
          holding.push(envelope)
          onEvent({ _tag: "Held", envelope })
          return Effect.void
        }
        const deliver = endpoints.get(envelope.dest)
        if (deliver === undefined) {
          if (servers.has(envelope.src) && servers.has(envelope.dest)) drop(envelope, "unattached")
          return Effect.void
        }
        onEvent({ _tag: "Delivered", envelope })
        return deliver(envelope)
      })

    // Checked again on arrival: a partition that starts while a message travels cuts it too (unless it spares those).
    const travel = (envelope: Envelope, latencyMs: number) =>
      (options.travelClock === undefined ? Effect.sleep(latencyMs) : options.travelClock.sleep(Duration.millis(latencyMs))).pipe(
        Effect.zipRight(Effect.suspend(() => {
          if (linked(envelope.src, envelope.dest) || inFlightArrives) return arrive(envelope)
          drop(envelope, "cut")
          return Effect.void
        }))
      )

    const oneLatency = (envelope: Envelope) =>
      Effect.gen(function*() {
        const base = yield* (linkLatency.get(linkKey(envelope.src, envelope.dest)) ?? options.latency)
        if (!(yield* chance(faults.reordering))) return base
        return base + (yield* Random.nextIntBetween(0, faults.reorderDelayMs + 1))
      })

    const transmit = (envelope: Envelope): Effect.Effect<void> =>
      Effect.gen(function*() {
        const betweenServers = servers.has(envelope.src) && servers.has(envelope.dest)
        if (!betweenServers) return yield* arrive(envelope)
        sent++
        if (!linked(envelope.src, envelope.dest)) return drop(envelope, "cut")
        if (yield* chance(faults.loss)) return drop(envelope, "lost")
        const latencies = [yield* oneLatency(envelope)]
        if (yield* chance(faults.duplication)) latencies.push(yield* oneLatency(envelope))
        onEvent({ _tag: "Sent", envelope, latencies })
        for (const latency of latencies) yield* FiberSet.run(inFlight, travel(envelope, latency))
      })

    const cutAll = (links: Iterable<Link>, sparesInFlight = false) => {
      inFlightArrives = sparesInFlight
      cuts = new Set()
      for (const [from, to] of links) cuts.add(linkKey(from, to))
    }

    return {
      attach: (id) =>
        Effect.gen(function*() {
          const core = yield* makeNetworkCore({ self: id, nodeIds, transmit })
          endpoints.set(id, core.deliver)
          return core.network
        }),
      detach: (id) =>
        Effect.sync(() => {
          endpoints.delete(id)
          for (const envelope of held.get(id) ?? []) drop(envelope, "unattached")
          held.delete(id)
        }),
      hold: (id) => Effect.sync(() => void (held.has(id) || held.set(id, []))),
      release: (id) =>
        Effect.suspend(() => {
          const waiting = held.get(id) ?? []
          held.delete(id)
          return Effect.forEach(waiting, arrive, { discard: true })
        }),
      partition: (groups) =>
        Effect.sync(() => {
          const groupOf = new Map(groups.flatMap((group, index) => group.map((id) => [id, index] as const)))
          const apart = (a: NodeId, b: NodeId) => groupOf.get(a) === undefined || groupOf.get(a) !== groupOf.get(b)
          cutAll(nodeIds.flatMap((a) => nodeIds.filter((b) => a !== b && apart(a, b)).map((b) => [a, b] as const)))
        }),
      cut: (links, options) => Effect.sync(() => cutAll(links, options?.inFlightArrives)),
      heal: Effect.sync(() => cutAll([])),
      setLinkLatency: ([from, to], latency) =>
        Effect.sync(() => {
          if (latency === null) linkLatency.delete(linkKey(from, to))
          else linkLatency.set(linkKey(from, to), latency)
        }),
      setFaults: (next) => Effect.sync(() => void (faults = next)),
      stats: () => ({ sent, dropped })
    }
  })
