import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Option } from "effect"
import { makeBacklog } from "../../foundation/Backlog.js"

describe("Backlog: items for one consumer, taken all at once", () => {
  it.effect("takes everything added meanwhile, in order, as one batch", () =>
    Effect.gen(function*() {
      const backlog = yield* makeBacklog<number>()
      for (const n of [1, 2, 3]) yield* backlog.add(n)
      expect(yield* backlog.takeAll).toEqual([1, 2, 3])
      expect(yield* backlog.takeNow).toEqual([])
    }))

  it.effect("a consumer waits while there is nothing, and wakes with the first item", () =>
    Effect.gen(function*() {
      const backlog = yield* makeBacklog<string>()
      const taker = yield* Effect.fork(backlog.takeAll)
      yield* Effect.yieldNow()
      expect(Option.isNone(yield* Fiber.poll(taker))).toBe(true)
      yield* backlog.add("a")
      yield* backlog.add("b")
      expect(yield* Fiber.join(taker)).toEqual(["a", "b"])
    }))

  it.effect("a batch taken without waiting leaves no wake-up that returns nothing", () =>
    Effect.gen(function*() {
      const backlog = yield* makeBacklog<number>()
      // Added while nobody waits: the ring is kept, then the items are taken at once.
      yield* backlog.add(1)
      expect(yield* backlog.takeAll).toEqual([1])
      // The kept ring wakes the next take, which finds nothing and waits again.
      const taker = yield* Effect.fork(backlog.takeAll)
      yield* Effect.yieldNow()
      expect(Option.isNone(yield* Fiber.poll(taker))).toBe(true)
      yield* backlog.add(2)
      expect(yield* Fiber.join(taker)).toEqual([2])
    }))
})
