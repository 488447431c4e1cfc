import { Clock, Effect, type Scope } from "effect"
import { makeBacklog } from "./Backlog.js"

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
    const deadlines = yield* makeBacklog<Deadline>()
    // Most deadlines have ended by the time the fiber reaches them: those are
    // skipped in a plain loop, and only an open one costs a sleep and a check.
    const expireInOrder = (batch: ReadonlyArray<Deadline>, from: number): Effect.Effect<void> =>
      Effect.suspend(() => {
        let next = from
        while (next < batch.length && batch[next]!.ended()) next++
        if (next === batch.length) return Effect.void
        const deadline = batch[next]!
        return Clock.currentTimeMillis.pipe(
          Effect.flatMap((now) => deadline.dueMs > now ? Effect.sleep(deadline.dueMs - now) : Effect.void),
          Effect.zipRight(Effect.suspend(() => deadline.ended() ? Effect.void : deadline.expire)),
          Effect.zipRight(expireInOrder(batch, next + 1))
        )
      })
    yield* Effect.forkScoped(Effect.forever(Effect.flatMap(deadlines.takeAll, (batch) => expireInOrder(batch, 0))))
    return {
      start: (ended, expire) => Effect.flatMap(Clock.currentTimeMillis, (now) => deadlines.add({ dueMs: now + durationMs, ended, expire }))
    }
  })
