import { Clock, Effect, Random } from "effect"
import { type Link, noMessageFaults } from "../layers/SimulatedNetwork.js"
import type { NodeId } from "../src/protocol/envelope.js"
import type { SimCluster } from "./SimCluster.js"

/** The kinds of fault a simulation may inject. */
export const faultKinds = ["partition", "loss", "dup", "reorder", "slow", "crash"] as const
export type FaultKind = (typeof faultKinds)[number]

export interface NemesisOptions {
  readonly faults: ReadonlySet<FaultKind>
  /** Simulated milliseconds between two fault actions, uniform in [min, max]. */
  readonly minIntervalMs: number
  readonly maxIntervalMs: number
  /** No fault starts at or after this simulated time. */
  readonly untilMs: number
}

const pick = <A>(items: ReadonlyArray<A>): Effect.Effect<A> =>
  Effect.map(Random.nextIntBetween(0, items.length), (i) => items[i]!)

const allLinks = (nodes: ReadonlyArray<NodeId>): Array<Link> =>
  nodes.flatMap((a) => nodes.filter((b) => b !== a).map((b) => [a, b] as const))

/**
 * Maelstrom's partition shapes (one node isolated, a random majority and
 * minority, a ring of overlapping majorities) and arbitrary ones (any set of
 * one-way links), as the list of links to cut and a name for the trace.
 */
const partitionShape = (nodes: ReadonlyArray<NodeId>): Effect.Effect<{ readonly name: string; readonly links: ReadonlyArray<Link> }> =>
  Effect.gen(function*() {
    const shuffled = [...(yield* Random.shuffle(nodes))]
    const groupsCut = (groups: ReadonlyArray<ReadonlyArray<NodeId>>) =>
      allLinks(nodes).filter(([a, b]) => !groups.some((g) => g.includes(a) && g.includes(b)))
    const show = (groups: ReadonlyArray<ReadonlyArray<NodeId>>) => groups.map((g) => `[${g.join(" ")}]`).join(" ")
    switch (yield* Random.nextIntBetween(0, 4)) {
      case 0: {
        const groups = [shuffled.slice(0, 1), shuffled.slice(1)]
        return { name: `isolate ${show(groups)}`, links: groupsCut(groups) }
      }
      case 1: {
        const half = Math.floor(nodes.length / 2)
        const groups = [shuffled.slice(0, half), shuffled.slice(half)]
        return { name: `halves ${show(groups)}`, links: groupsCut(groups) }
      }
      case 2: {
        // Each node keeps links only to its neighbours on a ring, so each sees a different majority.
        const reach = Math.floor(nodes.length / 2)
        const position = new Map(shuffled.map((n, i) => [n, i]))
        const distance = (a: NodeId, b: NodeId) => {
          const d = Math.abs(position.get(a)! - position.get(b)!)
          return Math.min(d, nodes.length - d)
        }
        const links = allLinks(nodes).filter(([a, b]) => distance(a, b) > Math.max(1, reach - 1))
        return { name: `majorities ring ${shuffled.join(" ")}`, links }
      }
      default: {
        const links: Array<Link> = []
        for (const link of allLinks(nodes)) if ((yield* Random.next) < 0.3) links.push(link)
        return { name: `arbitrary cut ${links.map(([a, b]) => `${a}>${b}`).join(" ")}`, links }
      }
    }
  })

/**
 * Injects faults at random intervals until `untilMs`, then lifts them all:
 * heals the network, clears message faults and slow links, restarts crashed
 * nodes. Each fault kind is switched on or off in turn, so runs see both.
 */
export const runNemesis = (cluster: SimCluster, options: NemesisOptions): Effect.Effect<void> =>
  Effect.gen(function*() {
    const kinds = faultKinds.filter((k) => options.faults.has(k))
    const { network, nodeIds } = cluster
    let messageFaults = noMessageFaults
    let partitioned = false
    const slowLinks = new Set<Link>()
    const setMessageFaults = (change: Partial<typeof messageFaults>) => {
      messageFaults = { ...messageFaults, ...change }
      return network.setFaults(messageFaults)
    }

    const act = (kind: FaultKind) =>
      Effect.gen(function*() {
        switch (kind) {
          case "partition": {
            if (partitioned && (yield* Random.nextBoolean)) {
              cluster.note("nemesis: heal")
              partitioned = false
              return yield* network.heal
            }
            const shape = yield* partitionShape(nodeIds)
            cluster.note(`nemesis: partition, ${shape.name}`)
            partitioned = true
            return yield* network.cut(shape.links)
          }
          case "loss": {
            const loss = messageFaults.loss > 0 ? 0 : 0.05 + 0.25 * (yield* Random.next)
            cluster.note(`nemesis: message loss ${loss.toFixed(2)}`)
            return yield* setMessageFaults({ loss })
          }
          case "dup": {
            const duplication = messageFaults.duplication > 0 ? 0 : 0.05 + 0.25 * (yield* Random.next)
            cluster.note(`nemesis: duplication ${duplication.toFixed(2)}`)
            return yield* setMessageFaults({ duplication })
          }
          case "reorder": {
            const reordering = messageFaults.reordering > 0 ? 0 : 0.1 + 0.4 * (yield* Random.next)
            cluster.note(`nemesis: reordering ${reordering.toFixed(2)}`)
            return yield* setMessageFaults({ reordering, reorderDelayMs: 200 })
          }
          case "slow": {
            const link = yield* pick(allLinks(nodeIds))
            const meanMs = yield* Random.nextIntBetween(30, 300)
            cluster.note(`nemesis: slow link ${link[0]}>${link[1]}, exponential mean ${meanMs} ms`)
            slowLinks.add(link)
            return yield* network.setLinkLatency(link, { _tag: "Exponential", meanMs })
          }
          case "crash": {
            const node = yield* pick(nodeIds)
            if (!cluster.isRunning(node)) return yield* cluster.start(node)
            yield* cluster.crash(node)
            // Most crashed nodes come back soon; the rest wait for a later crash action or the end.
            if ((yield* Random.next) < 0.7) {
              const downMs = yield* Random.nextIntBetween(50, 2000)
              yield* Effect.forkScoped(
                Effect.sleep(downMs).pipe(Effect.zipRight(Effect.suspend(() => cluster.isRunning(node) ? Effect.void : cluster.start(node))))
              )
            }
          }
        }
      })

    if (kinds.length > 0) {
      while (true) {
        yield* Effect.sleep(yield* Random.nextIntBetween(options.minIntervalMs, options.maxIntervalMs + 1))
        if ((yield* Clock.currentTimeMillis) >= options.untilMs) break
        yield* act(yield* pick(kinds))
      }
    }
    cluster.note("nemesis: all faults lifted")
    yield* network.heal
    yield* network.setFaults(noMessageFaults)
    for (const link of slowLinks) yield* network.setLinkLatency(link, null)
    for (const node of nodeIds) if (!cluster.isRunning(node)) yield* cluster.start(node)
  }).pipe(Effect.scoped)
