import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { runSimulation } from "../../sim/runSimulation.js"

/**
 * A sweep runs many seeds in one process: a fiber left alive by a finished
 * run stays in Effect's global set of root fibers and keeps its whole
 * cluster in memory, so each run must end every fiber it started.
 */
describe("a simulated run ends every fiber it started", () => {
  const leaving = (started: Array<Fiber.RuntimeFiber<unknown, unknown>>) =>
    Effect.gen(function*() {
      started.push(yield* Effect.forkDaemon(Effect.never))
      started.push(yield* Effect.fork(Effect.sleep("1 hour")))
      // A finalizer that waits on the simulated clock: the run's end must let it finish.
      started.push(yield* Effect.forkDaemon(Effect.never.pipe(Effect.ensuring(Effect.sleep("10 millis")))))
      // raceFirst does not wait for its loser to end.
      yield* Effect.raceFirst(Effect.sleep(5), Effect.uninterruptible(Effect.sleep(50)))
      return "done"
    })

  it("when the program completes", () => {
    const started: Array<Fiber.RuntimeFiber<unknown, unknown>> = []
    let leftover = -1
    const end = runSimulation(leaving(started), { seed: 1, timeLimitMs: 10_000, onLeftover: (n) => (leftover = n) })
    expect(end._tag).toBe("Completed")
    expect(leftover).toBe(0)
    expect(started.map((fiber) => fiber.unsafePoll() === null)).toEqual([false, false, false])
  })

  it("leaves Effect's global set of root fibers as it found it", () => {
    const roots = () => Effect.runSync(Fiber.roots).length
    const before = roots()
    for (let seed = 1; seed <= 3; seed++) runSimulation(leaving([]), { seed, timeLimitMs: 10_000 })
    expect(roots()).toBe(before)
  })

  it("when the time limit interrupts it", () => {
    const started: Array<Fiber.RuntimeFiber<unknown, unknown>> = []
    let leftover = -1
    const program = Effect.zipRight(leaving(started), Effect.sleep("1 hour"))
    const end = runSimulation(program, { seed: 1, timeLimitMs: 1_000, onLeftover: (n) => (leftover = n) })
    expect(end._tag).toBe("TimeLimit")
    expect(leftover).toBe(0)
    expect(started.every((fiber) => fiber.unsafePoll() !== null)).toBe(true)
  })
})
