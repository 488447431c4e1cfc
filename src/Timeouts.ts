import { Clock, Deferred, Effect, Queue, type Scope } from "effect"

/**
 * Waits bounded by one fixed duration, all timed by one fiber. Effect.timeout
 * races two forked fibers on every call, which cost a client request more
 * than the rest of its handling. With one duration, deadlines come in the
 * order the waits begin: the fiber sleeps until the oldest, completes that
 * wait unless it ended first, and goes on to the next, so every wait times
 * out exactly when its own deadline passes.
 */
export interface Timeouts {
  /**
   * Waits for `deferred`; if it is still open when the duration has passed,
   * completes it with the outcome of `onTimeout`.
   */
  readonly await: <A, E>(deferred: Deferred.Deferred<A, E>, onTimeout: Effect.Effect<A, E>) => Effect.Effect<A, E>
}

interface Wait {
  readonly deadlineMs: number
  readonly expire: Effect.Effect<unknown>
  ended: boolean
}

export const makeTimeouts = (durationMs: number): Effect.Effect<Timeouts, never, Scope.Scope> =>
  Effect.gen(function*() {
    const waits = yield* Queue.unbounded<Wait>()
    const expireNext = Effect.gen(function*() {
      const wait = yield* Queue.take(waits)
      if (wait.ended) return
      const now = yield* Clock.currentTimeMillis
      if (wait.deadlineMs > now) yield* Effect.sleep(wait.deadlineMs - now)
      if (!wait.ended) yield* wait.expire
    })
    yield* Effect.forkScoped(Effect.forever(expireNext))
    return {
      await: (deferred, onTimeout) =>
        Effect.gen(function*() {
          const wait: Wait = {
            deadlineMs: (yield* Clock.currentTimeMillis) + durationMs,
            expire: Effect.flatMap(Effect.exit(onTimeout), (exit) => Deferred.done(deferred, exit)),
            ended: false
          }
          yield* Queue.offer(waits, wait)
          return yield* Effect.ensuring(Deferred.await(deferred), Effect.sync(() => void (wait.ended = true)))
        })
    }
  })
