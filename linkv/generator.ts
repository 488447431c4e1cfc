import { Clock, Effect, Random, Ref, SynchronizedRef } from "effect"
import type { Operation, Value } from "./operation.js"

/** Five values are written and compared, so cas succeeds often enough to matter. */
const valueCount = 5

/** The longest value `writtenValues` makes: a bound that keeps a mistyped size from filling the memory. */
export const maxValueBytes = 1024 * 1024

/**
 * The values written and compared: 0..4, as Jepsen's register test writes
 * them, or, given `valueBytes`, five strings of that many characters (and
 * as many bytes in UTF-8, 2 more as JSON), value i its digit repeated:
 * what a store of larger values costs, with cas as likely to match.
 */
export const writtenValues = (valueBytes: number | undefined): ReadonlyArray<Value> => {
  if (valueBytes === undefined) return Array.from({ length: valueCount }, (_, i) => i)
  if (!Number.isInteger(valueBytes) || valueBytes < 1 || valueBytes > maxValueBytes) {
    throw new RangeError(`a value of ${valueBytes} bytes: expected an integer from 1 to ${maxValueBytes}`)
  }
  return Array.from({ length: valueCount }, (_, i) => String(i).repeat(valueBytes))
}

/** The key a group of clients is working on, and how many operations it has left. */
interface KeyState {
  readonly key: number
  readonly remaining: number
}

/**
 * The lin-kv generator (Jepsen's linearizable register over independent keys):
 * client threads are split into groups, each group works one integer key
 * until the key's budget is spent, then takes the next unused key.
 */
export interface Generator {
  /** The next operation of a client thread, on its group's key (a fresh key when the current one is spent). */
  readonly nextOperation: (thread: number) => Effect.Effect<Operation>
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

/** How the client threads share the keys. */
export interface KeyGroups {
  /** Client threads per key; the last group takes the threads left over. */
  readonly groupSize: number
  /**
   * Of each group, how many threads only read (Jepsen's `reserve`); the
   * others draw from the mix without its reads. A group too small for
   * readers and writers both (one thread) draws from the whole mix.
   */
  readonly readOnlyPerGroup: number
  /** Each key gets between these many operations, inclusive, before its group moves on. */
  readonly opsPerKey: { readonly min: number; readonly max: number }
}

/**
 * Maelstrom's lin-kv (Jepsen's linearizable-register test): 2n threads per
 * key for n nodes, n of them only reading, the others writing or cas-ing one
 * to two; 128 operations per key, less up to a tenth drawn at random (so keys
 * fall out of step).
 */
export const maelstromLinKv = (nodeCount: number): KeyGroups & { readonly mix: OperationMix } => ({
  groupSize: 2 * nodeCount,
  readOnlyPerGroup: nodeCount,
  opsPerKey: { min: 116, max: 128 },
  mix: { read: 1, write: 1, cas: 2 }
})

/** The part of a group's mix a thread draws from, by its place in the group. */
export const threadMix = (groups: KeyGroups, concurrency: number, mix: OperationMix, thread: number): OperationMix => {
  const first = Math.floor(thread / groups.groupSize) * groups.groupSize
  const size = Math.min(groups.groupSize, concurrency - first)
  const readers = size < 2 ? 0 : Math.min(groups.readOnlyPerGroup, Math.floor(size / 2))
  if (readers === 0) return mix
  return thread - first < readers ? { read: 1, write: 0, cas: 0 } : { ...mix, read: 0 }
}

export const makeGenerator = (options: KeyGroups & {
  readonly concurrency: number
  readonly rate: number
  readonly mix: OperationMix
  /** Write strings of this many bytes (`writtenValues`) rather than 0..4. */
  readonly valueBytes?: number | undefined
}): Effect.Effect<Generator> =>
  Effect.gen(function*() {
    // Made once: every operation refers to the same five values.
    const values = writtenValues(options.valueBytes)
    const groupCount = Math.ceil(options.concurrency / options.groupSize)
    const nextKey = yield* Ref.make(0)
    const freshKey = Effect.gen(function*() {
      const key = yield* Ref.getAndUpdate(nextKey, (k) => k + 1)
      return { key, remaining: yield* Random.nextIntBetween(options.opsPerKey.min, options.opsPerKey.max + 1) }
    })
    const groups: Array<SynchronizedRef.SynchronizedRef<KeyState>> = []
    for (let i = 0; i < groupCount; i++) groups.push(yield* SynchronizedRef.make(yield* freshKey))

    const takeKey = (group: number) =>
      SynchronizedRef.modifyEffect(groups[group]!, (current) =>
        Effect.map(
          current.remaining > 0 ? Effect.succeed(current) : freshKey,
          (next) => [next.key, { key: next.key, remaining: next.remaining - 1 }] as const
        ))

    const value = Effect.map(Random.nextIntBetween(0, valueCount), (i) => values[i]!)
    const nextOperation = (thread: number) =>
      Effect.gen(function*() {
        const key = yield* takeKey(Math.floor(thread / options.groupSize))
        const mix = threadMix(options, options.concurrency, options.mix, thread)
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

    return { nextOperation, awaitTurn }
  })
