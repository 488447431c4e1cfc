import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, TestClock } from "effect"
import { makeSerialCell } from "../../foundation/SerialCell.js"

describe("SerialCell: a value changed one step at a time", () => {
  it.effect("steps that yield halfway never interleave: each sees the value the previous one left", () =>
    Effect.gen(function*() {
      const cell = yield* makeSerialCell(0)
      const step = cell.modify((value) => Effect.as(Effect.yieldNow(), [value, value + 1] as const))
      const seen = yield* Effect.all(Array.from({ length: 50 }, () => step), { concurrency: "unbounded" })
      expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i))
      expect(yield* cell.get).toBe(50)
    }))

  it.effect("waiting steps take their turns in the order they came", () =>
    Effect.gen(function*() {
      const cell = yield* makeSerialCell<ReadonlyArray<string>>([])
      const append = (name: string) => cell.modify((names) => Effect.as(Effect.yieldNow(), [undefined, [...names, name]] as const))
      const fibers = []
      for (const name of ["a", "b", "c", "d"]) {
        fibers.push(yield* Effect.fork(append(name)))
        yield* Effect.yieldNow()
      }
      yield* Fiber.joinAll(fibers)
      expect(yield* cell.get).toEqual(["a", "b", "c", "d"])
    }))

  it.effect("a step that dies leaves the value as it was and the lock free", () =>
    Effect.gen(function*() {
      const cell = yield* makeSerialCell(7)
      const died = yield* Effect.exit(cell.modify(() => Effect.die("broken step")))
      expect(Exit.isFailure(died)).toBe(true)
      expect(yield* cell.get).toBe(7)
      expect(yield* cell.modify((value) => Effect.succeed([value * 2, value + 1] as const))).toBe(14)
      expect(yield* cell.get).toBe(8)
    }))

  it.effect("a step under way is not interrupted: it completes and its value is stored", () =>
    Effect.gen(function*() {
      const cell = yield* makeSerialCell(0)
      const slow = yield* Effect.fork(cell.modify((value) => Effect.as(Effect.sleep("10 millis"), [undefined, value + 1] as const)))
      yield* Effect.yieldNow()
      const waiting = yield* Effect.fork(cell.modify((value) => Effect.succeed([undefined, value + 10] as const)))
      yield* Effect.yieldNow()
      const interrupting = yield* Effect.fork(Effect.all([Fiber.interrupt(slow), Fiber.interrupt(waiting)]))
      yield* Effect.yieldNow()
      yield* TestClock.adjust("10 millis")
      yield* Fiber.join(interrupting)
      expect(yield* cell.get).toBe(11)
    }))
})
