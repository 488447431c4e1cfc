import { Clock, Effect, Random, Ref, SynchronizedRef } from "effect"
import type { Operation } from "./operation.js"

/** Each key gets between these many operations before its group moves to a fresh key. */
const minOpsPerKey = 60
const maxOpsPerKey = 100
/** Values written and compared are 0..4, so cas succeeds often enough to matter. */
const valueCount = 5

/** The key a group of clients is working on, and how many operations it has left. */
interface KeyState {
  readonly key: number
  readonly remaining: number
}

/**
 * The lin-kv generator (Jepsen's linearizable register over independent keys):
 * clients are split into groups, each group works one integer key with a random
 * mix of read, write and cas until the key's budget is spent, then takes the
 * next unused key.
 */
export interface Generator {
  /** The group a client thread belongs to. */
  readonly groupOf: (thread: number) => number
  /** The next operation for a group, or a fresh key when the current one is spent. */
  readonly nextOperation: (group: number) => Effect.Effect<Operation>
  /** Waits for this client's turn so that all clients together stay near `rate`. */
  readonly awaitTurn: Effect.Effect<void>
}

/** How often each kind of operation is drawn, as relative weights. */
export interface OperationMix {
  readonly read: number
  readonly write: number
  readonly cas: number
}

/** Jepsen's register test: read, write and cas equally often. */
export const evenMix: OperationMix = { read: 1, write: 1, cas: 1 }

export const makeGenerator = (options: {
  readonly concurrency: number
  readonly groupSize: number
  readonly rate: number
  readonly mix?: OperationMix
}): Effect.Effect<Generator> =>
  Effect.gen(function*() {
    const groupCount = Math.ceil(options.concurrency / options.groupSize)
    const mix = options.mix ?? evenMix
    const nextKey = yield* Ref.make(0)
    const freshKey = Effect.gen(function*() {
      const key = yield* Ref.getAndUpdate(nextKey, (k) => k + 1)
      return { key, remaining: yield* Random.nextIntBetween(minOpsPerKey, maxOpsPerKey + 1) }
    })
    const groups: Array<SynchronizedRef.SynchronizedRef<KeyState>> = []
    for (let i = 0; i < groupCount; i++) groups.push(yield* SynchronizedRef.make(yield* freshKey))

    const takeKey = (group: number) =>
      SynchronizedRef.modifyEffect(groups[group]!, (current) =>
        Effect.map(
          current.remaining > 0 ? Effect.succeed(current) : freshKey,
          (next) => [next.key, { key: next.key, remaining: next.remaining - 1 }] as const
        ))

    const value = Random.nextIntBetween(0, valueCount)
    const nextOperation = (group: number) =>
      Effect.gen(function*() {
        const key = yield* takeKey(group)
        const draw = (yield* Random.next) * (mix.read + mix.write + mix.cas)
        if (draw < mix.read) return { f: "read", key } as const
        if (draw < mix.read + mix.write) return { f: "write", key, value: yield* value } as const
        return { f: "cas", key, from: yield* value, to: yield* value } as const
      })

    // Jepsen's stagger: successive operations, whoever issues them, are spaced
    // by a random gap of mean 1/rate; an idle spell does not build up a backlog.
    const meanGapMs = 1000 / options.rate
    const nextSlot = yield* Ref.make(0)
    const awaitTurn = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const gap = (yield* Random.next) * 2 * meanGapMs
      const slot = yield* Ref.modify(nextSlot, (previous) => {
        const mine = Math.max(now, previous)
        return [mine, mine + gap]
      })
      if (slot > now) yield* Effect.sleep(slot - now)
    })

    return { groupOf: (thread) => Math.floor(thread / options.groupSize), nextOperation, awaitTurn }
  })
