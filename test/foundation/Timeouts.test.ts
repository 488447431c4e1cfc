import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { makeTimeouts } from "../../foundation/Timeouts.js"

describe("Timeouts: deadlines of one duration, timed by one fiber", () => {
  it.scoped("a deadline whose wait ended in time does not expire", () =>
    Effect.gen(function*() {
      const timeouts = yield* makeTimeouts(100)
      let ended = false
      let expired = 0
      yield* timeouts.start(() => ended, Effect.sync(() => void expired++))
      yield* TestClock.adjust(50)
      ended = true
      yield* TestClock.adjust(100)
      expect(expired).toBe(0)
    }))

  it.scoped("each deadline still open expires when its own time passes, not before", () =>
    Effect.gen(function*() {
      const timeouts = yield* makeTimeouts(100)
      const expired: Array<string> = []
      const ended = new Set<string>()
      const start = (name: string) => timeouts.start(() => ended.has(name), Effect.sync(() => void expired.push(name)))
      yield* start("first")
      yield* TestClock.adjust(30)
      yield* start("second")
      yield* TestClock.adjust(30)
      yield* start("third")
      // The first ends early: the later deadlines must still hold.
      ended.add("first")
      yield* TestClock.adjust(69) // t = 129: one millisecond before the second's deadline
      expect(expired).toEqual([])
      yield* TestClock.adjust(1) // t = 130
      expect(expired).toEqual(["second"])
      yield* TestClock.adjust(29) // t = 159
      expect(expired).toEqual(["second"])
      yield* TestClock.adjust(1) // t = 160
      expect(expired).toEqual(["second", "third"])
      yield* TestClock.adjust(1000)
      expect(expired).toEqual(["second", "third"])
    }))
})
