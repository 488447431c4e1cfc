import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { NodeClock } from "../../sim/NodeClock.js"
import { runSimulation } from "../../sim/runSimulation.js"

/** Runs a program on simulated time and returns its result. */
const simulate = <A>(program: Effect.Effect<A>): A => {
  const end = runSimulation(program, { seed: 1, timeLimitMs: 60_000 })
  if (end._tag !== "Completed" || end.exit._tag !== "Success") throw new Error(`the program did not complete: ${end._tag}`)
  return end.exit.value
}

describe("a simulated node's clock (sim/NodeClock.ts)", () => {
  it("counts its own rate of milliseconds per simulated one, in whole milliseconds, and its timers wait accordingly", () => {
    const [shared, fast, slow] = simulate(Effect.gen(function*() {
      const clock = yield* Effect.clock
      const fast = new NodeClock(clock, 1.1)
      const slow = new NodeClock(clock, 0.9)
      yield* Effect.withClock(Effect.sleep(110), fast)
      const afterFast = [clock.unsafeCurrentTimeMillis(), fast.unsafeCurrentTimeMillis(), slow.unsafeCurrentTimeMillis()]
      yield* Effect.withClock(Effect.sleep(90), slow)
      expect(slow.unsafeCurrentTimeMillis()).toBeGreaterThanOrEqual(afterFast[2]! + 90)
      return afterFast
    }))
    expect(shared).toBe(100)
    expect(fast).toBe(110)
    expect(slow).toBe(90)
  })

  it("paused, holds the timers that come due and fires them when resumed; its clock runs on meanwhile", () => {
    const seen = simulate(Effect.gen(function*() {
      const clock = yield* Effect.clock
      const node = new NodeClock(clock, 1)
      const sleeper = yield* Effect.fork(Effect.withClock(Effect.as(Effect.sleep(50), "woke"), node))
      node.pause()
      yield* Effect.sleep(200)
      const whilePaused = sleeper.unsafePoll()
      const clockWhilePaused = node.unsafeCurrentTimeMillis()
      node.resume()
      const woke = yield* Fiber.join(sleeper)
      return { whilePaused, clockWhilePaused, woke, resumedAt: clock.unsafeCurrentTimeMillis() }
    }))
    expect(seen).toEqual({ whilePaused: null, clockWhilePaused: 200, woke: "woke", resumedAt: 200 })
  })
})
