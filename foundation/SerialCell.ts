import { Effect, Exit } from "effect"

/**
 * A value changed by one step at a time: what SynchronizedRef offers, with
 * a lighter lock. SynchronizedRef's semaphore costs a dozen or so Effect
 * operations even when no one else holds it (an interruptible wait, a
 * finalizer, a release through the fiber runtime), and Raft runs two or
 * three transitions per client request. Here the lock is a flag when free,
 * and a queue of waiters, served in arrival order, when held.
 */
export interface SerialCell<A> {
  readonly get: Effect.Effect<A>
  /**
   * Runs `step` on the value, with no other `modify` of this cell running
   * meanwhile, and stores the value it gives back. The wait for the lock
   * and the step run uninterruptibly; a step that dies leaves the value as
   * it was and the lock free.
   */
  readonly modify: <B>(step: (value: A) => Effect.Effect<readonly [B, A]>) => Effect.Effect<B>
}

export const makeSerialCell = <A>(initial: A): Effect.Effect<SerialCell<A>> =>
  Effect.sync(() => {
    let value = initial
    let held = false
    const waiting: Array<(turn: Effect.Effect<void>) => void> = []
    const waitTurn = Effect.async<void>((resume) => {
      waiting.push(resume)
    })
    // The lock passes straight to the longest waiting step, or becomes free.
    const release = () => {
      const next = waiting.shift()
      if (next === undefined) held = false
      else next(Effect.void)
    }
    const run = <B>(step: (value: A) => Effect.Effect<readonly [B, A]>): Effect.Effect<B> =>
      Effect.flatMap(Effect.exit(Effect.suspend(() => step(value))), (exit) => {
        if (Exit.isSuccess(exit)) value = exit.value[1]
        release()
        return Exit.isSuccess(exit) ? Effect.succeed(exit.value[0]) : Effect.failCause(exit.cause)
      })
    return {
      get: Effect.sync(() => value),
      modify: <B>(step: (value: A) => Effect.Effect<readonly [B, A]>) =>
        Effect.uninterruptible(Effect.suspend(() => {
          if (held) return Effect.zipRight(waitTurn, run(step))
          held = true
          return run(step)
        }))
    }
  })
