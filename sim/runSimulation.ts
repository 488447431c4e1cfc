import { Effect, type Exit, FiberId, Random } from "effect"
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
 */
export const runSimulation = <A, E>(
  program: Effect.Effect<A, E>,
  options: SimulationOptions
): SimulationEnd<A, E> => {
  const scheduler = new VirtualScheduler()
  const clock = new VirtualClock()
  const maxSteps = options.maxStepsPerInstant ?? 1_000_000
  const fiber = Effect.runFork(
    program.pipe(Effect.withClock(clock), Effect.withRandom(Random.make(options.seed))),
    { scheduler }
  )

  const drain = (): boolean => {
    for (let steps = 0; steps < maxSteps; steps++) {
      if (!scheduler.runNext()) return true
    }
    return false
  }

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
}
