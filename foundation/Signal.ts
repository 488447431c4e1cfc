import { Effect } from "effect"

/**
 * A doorbell: any number of rings before the waiter wakes count as one.
 * Fibers sleep on it instead of polling.
 */
export interface Signal {
  readonly ring: Effect.Effect<void>
  readonly wait: Effect.Effect<void>
}

/**
 * A ring wakes the longest waiting fiber, or, with none waiting, is kept for
 * the next wait (one kept ring at most). Built on Effect.async rather than a
 * sliding queue: a queue's take allocates a Deferred per wait, and the
 * replicators, the proposer and the applier each wait once or more
 * per client request.
 */
export const makeSignal: Effect.Effect<Signal> = Effect.sync(() => {
  let rung = false
  // A Set keeps insertion order: the first waiter is the longest waiting.
  const waiters = new Set<(wake: Effect.Effect<void>) => void>()
  const ring = Effect.sync(() => {
    for (const wake of waiters) {
      waiters.delete(wake)
      return wake(Effect.void)
    }
    rung = true
  })
  const wait = Effect.async<void>((wake) => {
    if (rung) {
      rung = false
      return wake(Effect.void)
    }
    waiters.add(wake)
    // An interrupted waiter leaves: a later ring must not be spent on it.
    return Effect.sync(() => void waiters.delete(wake))
  })
  return { ring, wait }
})
