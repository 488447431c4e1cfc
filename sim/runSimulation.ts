import { Effect, type Exit, FiberId, Random } from "effect"
import { LiveFibers } from "./LiveFibers.js"
import { VirtualClock } from "./VirtualClock.js"
import { VirtualScheduler } from "./VirtualScheduler.js"

export interface SimulationOptions {
  /** Every chance the program takes comes from one Random seeded with this. */
  readonly seed: string | number
  /** Simulated milliseconds after which the program is interrupted. */
  readonly timeLimitMs: number
  /**
   * Fiber steps allowed at one instant of simulated time. A program that
   * spins without ever waiting on the clock would otherwise never end.
   */
  readonly maxStepsPerInstant?: number
  /** Called once the run is over with the number of its fibers still alive after the cleanup (see `runSimulation`). */
  readonly onLeftover?: (fibers: number) => void
}

export type SimulationEnd<A, E> =
  /** The program ended by itself. */
  | { readonly _tag: "Completed"; readonly exit: Exit.Exit<A, E>; readonly atMs: number }
  /** The time limit came first; the program was interrupted. */
  | { readonly _tag: "TimeLimit"; readonly atMs: number }
  /** Fibers kept running without simulated time moving. */
  | { readonly _tag: "Livelock"; readonly atMs: number }

/**
 * Runs a program on simulated time, synchronously, as a discrete-event
 * simulation: run every runnable fiber step; when none is left, jump the
 * clock to the next timer and fire it. No real time passes and the host's
 * event loop is never involved, so the same program and seed always take the
 * same steps in the same order.
 *
 * Once the verdict is in, every fiber the run started that is still alive
 * (a race's loser being interrupted, a fiber asleep on the simulated clock)
 * is interrupted and run to its end. Effect keeps every root fiber in a
 * global set until it exits, and nothing else would ever run these: each
 * would keep its whole cluster in memory for the rest of the process.
 */
export const runSimulation = <A, E>(
  program: Effect.Effect<A, E>,
  options: SimulationOptions
): SimulationEnd<A, E> => {
  const scheduler = new VirtualScheduler()
  const clock = new VirtualClock()
  const maxSteps = options.maxStepsPerInstant ?? 1_000_000
  const started = new LiveFibers()
  const fiber = Effect.runFork(
    program.pipe(Effect.supervised(started), Effect.withClock(clock), Effect.withRandom(Random.make(options.seed))),
    { scheduler }
  )

  const drain = (): boolean => {
    for (let steps = 0; steps < maxSteps; steps++) {
      if (!scheduler.runNext()) return true
    }
    return false
  }

  const end = ((): SimulationEnd<A, E> => {
    while (true) {
      if (!drain()) return { _tag: "Livelock", atMs: clock.unsafeCurrentTimeMillis() }
      const exit = fiber.unsafePoll()
      if (exit !== null) return { _tag: "Completed", exit, atMs: clock.unsafeCurrentTimeMillis() }
      const next = clock.nextTimerAt()
      if (next === undefined || next > options.timeLimitMs) break
      clock.fireNext()
    }
    fiber.unsafeInterruptAsFork(FiberId.none)
    drain()
    return { _tag: "TimeLimit", atMs: clock.unsafeCurrentTimeMillis() }
  })()
  // The program's own fiber is not among those it started.
  const alive = () => [...started.fibers, ...(fiber.unsafePoll() === null ? [fiber] : [])]
  const leftover = cleanUp(alive, clock, drain)
  options.onLeftover?.(leftover)
  return end
}

/** Rounds of interrupting and running what is left, each firing one timer (a finalizer may sleep). */
const cleanupRounds = 1_000

/** Interrupts the fibers still alive and runs them until they end; how many did not (a livelock stops it). */
const cleanUp = (
  alive: () => ReadonlyArray<{ readonly unsafeInterruptAsFork: (by: FiberId.FiberId) => void }>,
  clock: VirtualClock,
  drain: () => boolean
): number => {
  for (let round = 0; round < cleanupRounds; round++) {
    const fibers = alive()
    if (fibers.length === 0) return 0
    for (const fiber of fibers) fiber.unsafeInterruptAsFork(FiberId.none)
    if (!drain()) break
    if (alive().length > 0 && clock.nextTimerAt() !== undefined) clock.fireNext()
  }
  return alive().length
}
