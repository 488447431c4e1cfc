import { Clock, Effect, Option, Random, Ref } from "effect"
import { noPartition, type Partition, randomPartition } from "../linkv/partitionShapes.js"
import type { Router } from "./router.js"

/** A time span during which a partition was in force, in milliseconds since the run started. */
export interface PartitionWindow {
  readonly description: string
  readonly startMs: number
  readonly endMs: number
}

export interface Nemesis {
  /** What the network looks like now, for the progress line. */
  readonly state: Effect.Effect<string>
  /** Alternates a random partition and a heal, each after a random wait (see `staggeredWaitMs`), until interrupted. */
  readonly run: Effect.Effect<never>
  /** Heals the network and closes the open window; safe to call more than once. */
  readonly heal: Effect.Effect<void>
  readonly windows: Effect.Effect<ReadonlyArray<PartitionWindow>>
}

/**
 * Jepsen's stagger, which Maelstrom's nemesis uses: each change waits a time
 * drawn uniformly from 0 to twice the interval, so changes come at random
 * times `--nemesis-interval` apart on average.
 */
export const staggeredWaitMs = (intervalMs: number): Effect.Effect<number> => Random.nextRange(0, 2 * intervalMs)

/** The partition nemesis (`--nemesis partition`); with no nemesis, `run` only waits. */
export const makePartitionNemesis = (options: {
  readonly router: Router
  readonly nodeIds: ReadonlyArray<string>
  readonly intervalMs: number
  readonly startMillis: number
  readonly enabled: boolean
}): Effect.Effect<Nemesis> =>
  Effect.gen(function*() {
    const current = yield* Ref.make<{ partition: Partition; sinceMs: number }>({ partition: noPartition, sinceMs: 0 })
    const windows = yield* Ref.make<ReadonlyArray<PartitionWindow>>([])
    const elapsed = Effect.map(Clock.currentTimeMillis, (now) => now - options.startMillis)

    const apply = (partition: Partition) =>
      Effect.gen(function*() {
        const now = yield* elapsed
        const previous = yield* Ref.getAndSet(current, { partition, sinceMs: now })
        if (previous.partition.blocked.size > 0) {
          yield* Ref.update(windows, (ws) => [...ws, {
            description: previous.partition.description,
            startMs: previous.sinceMs,
            endMs: now
          }])
        }
        yield* options.router.setPartition(partition)
        yield* Effect.logInfo(`nemesis: ${partition.description}`)
      }).pipe(Effect.uninterruptible)

    const heal = Effect.gen(function*() {
      if ((yield* Ref.get(current)).partition.blocked.size > 0) yield* apply(noPartition)
    })

    const staggered = Effect.flatMap(staggeredWaitMs(options.intervalMs), Effect.sleep)
    const cycle = Effect.gen(function*() {
      yield* staggered
      const partition = yield* randomPartition(options.nodeIds)
      if (Option.isSome(partition)) yield* apply(partition.value)
      else yield* Effect.logInfo("nemesis: nothing to cut with one node")
      yield* staggered
      yield* heal
    })

    return {
      state: Effect.map(Ref.get(current), (c) => options.enabled ? c.partition.description : "no nemesis"),
      run: options.enabled ? Effect.forever(cycle) : Effect.never,
      heal,
      windows: Ref.get(windows)
    }
  })
