import { Clock, Effect, Option, Random, Ref } from "effect"
import type { FileCorruption } from "./fileCorruption.js"
import type { MembershipStrike } from "./membershipFault.js"
import type { TransferStrike } from "./transferFault.js"

/** The faults `--nemesis` takes, in any combination. */
export const faultKinds = ["partition", "kill", "pause", "corrupt", "transfer", "membership"] as const
export type FaultKind = (typeof faultKinds)[number]

/** A fault that was in force, for results.json, the plots and the summary; times in milliseconds since the clients started. */
export interface FaultWindow {
  readonly kind: FaultKind
  readonly description: string
  /** The nodes it struck (every node a partition cuts off from another). */
  readonly nodes: ReadonlyArray<string>
  readonly startMs: number
  readonly endMs: number
  /**
   * Why healing it went wrong (a killed node that did not answer init after
   * its restart, a cluster the final heal could not make whole); absent when
   * it healed.
   */
  readonly problem?: string
  /** What a `corrupt` fault did to each node's files. */
  readonly corruptions?: ReadonlyArray<FileCorruption>
  /** What a `transfer` strike asked for, and what came of it. */
  readonly transfer?: TransferStrike
  /** What a `membership` strike (or the final heal of the membership nemesis) asked for, and what came of it. */
  readonly membership?: MembershipStrike
}

/** One fault in force: what it is, and how it ends. */
export interface InjectedFault {
  readonly description: string
  readonly nodes: ReadonlyArray<string>
  /** What a `corrupt` fault did to each node's files. */
  readonly corruptions?: ReadonlyArray<FileCorruption>
  /** Ends the fault; what went wrong, in words, when it could not. */
  readonly heal: Effect.Effect<Option.Option<string>>
}

/** One kind of fault that lasts until it is healed. */
export interface Fault {
  readonly kind: FaultKind
  /** Injects one fault now; none when there is nothing to strike (a partition of one node, no node running normally). */
  readonly inject: Effect.Effect<Option.Option<InjectedFault>>
}

/** What a strike did. */
export interface StruckFault {
  readonly description: string
  readonly nodes: ReadonlyArray<string>
  readonly problem?: string
  readonly transfer?: TransferStrike
  readonly membership?: MembershipStrike
}

/**
 * One kind of fault that is over once struck (a leadership transfer, a
 * membership change): it is in force while the strike is made, and has no
 * heal of its own.
 */
export interface Strike {
  readonly kind: FaultKind
  readonly strike: Effect.Effect<StruckFault>
  /**
   * Undoes what the strikes left behind (a cluster shrunk by membership
   * changes), once, at the final heal, after every other fault is healed;
   * listed as a strike of its kind, none when there was nothing to undo.
   */
  readonly finalHeal?: Effect.Effect<Option.Option<StruckFault>>
}

export interface Nemesis {
  /** The faults in force now, for the progress line. */
  readonly state: Effect.Effect<string>
  /** Each fault kind alternates a fault and its heal, each after a random wait (see `staggeredWaitMs`), until `healAll`. */
  readonly run: Effect.Effect<never>
  /**
   * Ends the nemesis: waits for a fault being injected or healed, then heals
   * every fault in force, then undoes what strikes left behind (see
   * `Strike.finalHeal`), and injects no more; safe to call more than once.
   * `run` may be interrupted after it.
   */
  readonly healAll: Effect.Effect<void>
  /** The faults healed so far, in the order they started. */
  readonly windows: Effect.Effect<ReadonlyArray<FaultWindow>>
}

/**
 * Jepsen's stagger, which Maelstrom's nemesis uses: each change waits a time
 * drawn uniformly from 0 to twice the interval, so changes come at random
 * times `--nemesis-interval` apart on average.
 */
export const staggeredWaitMs = (intervalMs: number): Effect.Effect<number> => Random.nextRange(0, 2 * intervalMs)

interface Open {
  readonly injected: InjectedFault
  readonly startMs: number
}

/**
 * The nemesis of `--nemesis`: each fault kind on a schedule of its own, as
 * Jepsen composes its nemesis packages, so faults of different kinds may
 * overlap. Each kind draws from a random stream seeded with the test's seed
 * and its name alone, so its waits and choices replay whatever the clients
 * do. One fault is injected or healed at a time (Jepsen's nemesis is one
 * process), so that a kill and a pause never pick the same node at once. A
 * strike comes after each random wait, and is listed once it is over.
 */
export const makeNemesis = (options: {
  readonly faults: ReadonlyArray<Fault | Strike>
  readonly intervalMs: number
  readonly startMillis: number
  readonly seed: number
}): Effect.Effect<Nemesis> =>
  Effect.gen(function*() {
    const open = yield* Ref.make<ReadonlyMap<FaultKind, Open>>(new Map())
    const windows = yield* Ref.make<ReadonlyArray<FaultWindow>>([])
    const stopped = yield* Ref.make(false)
    // Injecting and healing are never interrupted halfway (a node killed and not
    // restarted): they run one at a time, and the final heal waits its turn; so
    // does a strike, which is listed only once its outcome is known.
    const oneAtATime = yield* Effect.makeSemaphore(1)
    const elapsed = Effect.map(Clock.currentTimeMillis, (now) => now - options.startMillis)

    const inject = (fault: Fault) =>
      Effect.gen(function*() {
        if (yield* Ref.get(stopped)) return
        // From the moment it is struck: a graceful stop takes a while to end the node, and it is under way meanwhile.
        const startMs = yield* elapsed
        const injected = yield* fault.inject
        if (Option.isNone(injected)) return yield* Effect.logInfo(`nemesis: no ${fault.kind} possible now`)
        yield* Ref.update(open, (faults) => new Map([...faults, [fault.kind, { injected: injected.value, startMs }]]))
        yield* Effect.logInfo(`nemesis: ${injected.value.description}`)
      })

    const heal = (kind: FaultKind) =>
      Effect.gen(function*() {
        const fault = (yield* Ref.get(open)).get(kind)
        if (fault === undefined) return
        const problem = yield* fault.injected.heal
        const endMs = yield* elapsed
        yield* Ref.update(open, (faults) => new Map([...faults].filter(([k]) => k !== kind)))
        const { corruptions, description, nodes } = fault.injected
        yield* Ref.update(windows, (ws) => [...ws, {
          kind,
          description,
          nodes,
          startMs: fault.startMs,
          endMs,
          ...Option.match(problem, { onNone: () => ({}), onSome: (text) => ({ problem: text }) }),
          ...(corruptions === undefined ? {} : { corruptions })
        }])
        yield* Option.match(problem, {
          onNone: () => Effect.logInfo(`nemesis: healed ${description}`),
          onSome: (text) => Effect.logError(`nemesis: ${text}`)
        })
      })

    const listStruck = (kind: FaultKind, startMs: number, struck: StruckFault) =>
      Effect.gen(function*() {
        const endMs = yield* elapsed
        const { description, membership, nodes, problem, transfer } = struck
        yield* Ref.update(windows, (ws) => [...ws, {
          kind,
          description,
          nodes,
          startMs,
          endMs,
          ...(problem === undefined ? {} : { problem }),
          ...(transfer === undefined ? {} : { transfer }),
          ...(membership === undefined ? {} : { membership })
        }])
        yield* problem === undefined ? Effect.logInfo(`nemesis: ${description}`) : Effect.logError(`nemesis: ${problem}`)
      })

    const strike = (fault: Strike) =>
      Effect.gen(function*() {
        if (yield* Ref.get(stopped)) return
        const startMs = yield* elapsed
        yield* listStruck(fault.kind, startMs, yield* fault.strike)
      })

    const finalHeal = (fault: Fault | Strike) =>
      Effect.gen(function*() {
        if (!("finalHeal" in fault) || fault.finalHeal === undefined) return
        const startMs = yield* elapsed
        const struck = yield* fault.finalHeal
        if (Option.isSome(struck)) yield* listStruck(fault.kind, startMs, struck.value)
      })

    const staggered = Effect.flatMap(staggeredWaitMs(options.intervalMs), Effect.sleep)
    const cycle = (fault: Fault | Strike) =>
      Effect.forever(
        "strike" in fault
          ? Effect.zipRight(staggered, oneAtATime.withPermits(1)(strike(fault)))
          : Effect.all([
            staggered,
            oneAtATime.withPermits(1)(inject(fault)),
            staggered,
            oneAtATime.withPermits(1)(heal(fault.kind))
          ], { discard: true })
      ).pipe(Effect.withRandom(Random.make(`nemesis ${fault.kind} ${options.seed}`)))

    return {
      state: Effect.map(Ref.get(open), (faults) =>
        options.faults.length === 0
          ? "no nemesis"
          : faults.size === 0
          ? "healed"
          : [...faults.values()].map((fault) => fault.injected.description).join("; ")),
      run: options.faults.length === 0
        ? Effect.never
        : Effect.andThen(Effect.forEach(options.faults, cycle, { concurrency: "unbounded" }), Effect.never),
      healAll: oneAtATime.withPermits(1)(Effect.gen(function*() {
        const again = yield* Ref.getAndSet(stopped, true)
        yield* Effect.forEach(options.faults, (fault) => heal(fault.kind), { discard: true })
        // On a whole cluster: partitions healed, every node running.
        if (!again) yield* Effect.forEach(options.faults, finalHeal, { discard: true })
      })),
      windows: Effect.map(Ref.get(windows), (ws) => [...ws].sort((a, b) => a.startMs - b.startMs))
    }
  })
