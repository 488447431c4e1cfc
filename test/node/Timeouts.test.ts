import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, TestClock } from "effect"
import { makeTimeouts } from "../../src/Timeouts.js"

describe("Timeouts: waits of one duration, timed by one fiber", () => {
  it.scoped("a wait answered in time gets its answer, and the timeout does not replace it", () =>
    Effect.gen(function*() {
      const timeouts = yield* makeTimeouts(100)
      const answer = yield* Deferred.make<string>()
      const waiting = yield* Effect.fork(timeouts.await(answer, Effect.succeed("timed out")))
      yield* TestClock.adjust(50)
      yield* Deferred.succeed(answer, "answered")
      expect(yield* Fiber.join(waiting)).toBe("answered")
      yield* TestClock.adjust(100)
      expect(yield* Deferred.await(answer)).toBe("answered")
    }))

  it.scoped("each unanswered wait gets onTimeout's outcome when its own deadline passes, not before", () =>
    Effect.gen(function*() {
      const timeouts = yield* makeTimeouts(100)
      const first = yield* Deferred.make<string, string>()
      const second = yield* Deferred.make<string, string>()
      const third = yield* Deferred.make<string, string>()
      const waitFirst = yield* Effect.fork(timeouts.await(first, Effect.succeed("first timed out")))
      yield* TestClock.adjust(30)
      const waitSecond = yield* Effect.fork(timeouts.await(second, Effect.fail("second timed out")))
      yield* TestClock.adjust(30)
      const waitThird = yield* Effect.fork(timeouts.await(third, Effect.succeed("third timed out")))
      // The first is answered early: the later deadlines must still hold.
      yield* Deferred.succeed(first, "first answered")
      expect(yield* Fiber.join(waitFirst)).toBe("first answered")
      yield* TestClock.adjust(69) // t = 129: one millisecond before the second's deadline
      expect(yield* Deferred.isDone(second)).toBe(false)
      yield* TestClock.adjust(1) // t = 130
      expect(yield* Effect.flip(Fiber.join(waitSecond))).toBe("second timed out")
      yield* TestClock.adjust(29) // t = 159
      expect(yield* Deferred.isDone(third)).toBe(false)
      yield* TestClock.adjust(1) // t = 160
      expect(yield* Fiber.join(waitThird)).toBe("third timed out")
    }))

  it.scoped("a wait that is interrupted leaves its deferred to others: the timeout does not fire for it", () =>
    Effect.gen(function*() {
      const timeouts = yield* makeTimeouts(100)
      const answer = yield* Deferred.make<string>()
      const waiting = yield* Effect.fork(timeouts.await(answer, Effect.succeed("timed out")))
      yield* TestClock.adjust(10)
      yield* Fiber.interrupt(waiting)
      yield* TestClock.adjust(200)
      expect(yield* Deferred.isDone(answer)).toBe(false)
    }))
})
