import { Clock, Effect, Queue, type Scope } from "effect"

/**
 * Deadlines of one fixed duration, all timed by one fiber. Effect.timeout
 * races two forked fibers on every call, which cost a client request more
 * than the rest of its handling. With one duration, deadlines come in the
 * order they are set: the fiber sleeps until the oldest, expires it unless
 * it ended first, and goes on to the next, so every deadline passes exactly
 * when it is due. Nothing waits on a deadline: whatever must happen when it
 * passes is its `expire` effect, run by the timer fiber (it must not block).
 */
export interface Timeouts {
  /**
   * Sets a deadline the duration from now: once it passes, runs `expire`,
   * unless `ended()` says by then that there is nothing left to expire.
   */
  readonly start: (ended: () => boolean, expire: Effect.Effect<void>) => Effect.Effect<void>
}

interface Deadline {
  readonly dueMs: number
  readonly ended: () => boolean
  readonly expire: Effect.Effect<void>
}

export const makeTimeouts = (durationMs: number): Effect.Effect<Timeouts, never, Scope.Scope> =>
  Effect.gen(function*() {
    const deadlines = yield* Queue.unbounded<Deadline>()
    const expireNext = Effect.gen(function*() {
      const deadline = yield* Queue.take(deadlines)
      if (deadline.ended()) return
      const now = yield* Clock.currentTimeMillis
      if (deadline.dueMs > now) yield* Effect.sleep(deadline.dueMs - now)
      if (!deadline.ended()) yield* deadline.expire
    })
    yield* Effect.forkScoped(Effect.forever(expireNext))
    return {
      start: (ended, expire) =>
        Effect.flatMap(
          Clock.currentTimeMillis,
          (now) => Effect.asVoid(Queue.offer(deadlines, { dueMs: now + durationMs, ended, expire }))
        )
    }
  })
