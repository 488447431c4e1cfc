import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Option } from "effect"
import { makeSignal } from "../../foundation/Signal.js"

describe("Signal: a doorbell", () => {
  it.effect("a ring before the wait is kept, and any number of them count as one", () =>
    Effect.gen(function*() {
      const signal = yield* makeSignal
      yield* signal.ring
      yield* signal.ring
      yield* signal.wait
      const second = yield* Effect.fork(signal.wait)
      yield* Effect.yieldNow()
      expect(Option.isNone(yield* Fiber.poll(second))).toBe(true)
      yield* signal.ring
      yield* Fiber.join(second)
    }))

  it.effect("a ring wakes one waiter, the longest waiting, and is not kept besides", () =>
    Effect.gen(function*() {
      const signal = yield* makeSignal
      const first = yield* Effect.fork(signal.wait)
      yield* Effect.yieldNow()
      const second = yield* Effect.fork(signal.wait)
      yield* Effect.yieldNow()
      yield* signal.ring
      yield* Fiber.join(first)
      expect(Option.isNone(yield* Fiber.poll(second))).toBe(true)
      yield* signal.ring
      yield* Fiber.join(second)
      // Both rings were spent on the two waiters: the next wait blocks.
      const third = yield* Effect.fork(signal.wait)
      yield* Effect.yieldNow()
      expect(Option.isNone(yield* Fiber.poll(third))).toBe(true)
      yield* Fiber.interrupt(third)
    }))

  it.effect("an interrupted waiter does not take a later ring", () =>
    Effect.gen(function*() {
      const signal = yield* makeSignal
      const gone = yield* Effect.fork(signal.wait)
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(gone)
      yield* signal.ring
      yield* signal.wait
    }))
})
