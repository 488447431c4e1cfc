import { Effect, type Either } from "effect"

/**
 * Where the outcome of one proposal or read barrier goes, exactly once:
 * whoever learns it first (the applier, the request timeout, a lost
 * leadership) settles it, and later outcomes are dropped. Nothing waits on it.
 */
export interface Settlement<A, E> {
  readonly settle: (outcome: Either.Either<A, E>) => Effect.Effect<void>
  readonly settled: () => boolean
}

export const makeSettlement = <A, E>(onOutcome: (outcome: Either.Either<A, E>) => Effect.Effect<void>): Settlement<A, E> => {
  let done = false
  return {
    settle: (outcome) =>
      Effect.suspend(() => {
        if (done) return Effect.void
        done = true
        return onOutcome(outcome)
      }),
    settled: () => done
  }
}
