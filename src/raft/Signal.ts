import { Effect, Queue } from "effect"

/**
 * A doorbell: any number of rings before the waiter wakes count as one.
 * Fibers sleep on it instead of polling.
 */
export interface Signal {
  readonly ring: Effect.Effect<void>
  readonly wait: Effect.Effect<void>
}

export const makeSignal: Effect.Effect<Signal> = Effect.map(Queue.sliding<void>(1), (queue) => ({
  ring: Queue.offer(queue, undefined).pipe(Effect.asVoid),
  wait: Queue.take(queue)
}))
