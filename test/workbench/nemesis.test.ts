import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Random, TestClock } from "effect"
import { makePartitionNemesis } from "../../workbench/nemesis.js"
import { makeRouter } from "../../workbench/router.js"

describe("the partition nemesis", () => {
  it.scoped("partitions and heals at random times --nemesis-interval apart on average, as Jepsen's stagger does", () =>
    Effect.gen(function*() {
      const router = yield* makeRouter({ nodes: new Map(), latency: { _tag: "Constant", ms: 0 } })
      const nemesis = yield* makePartitionNemesis({
        router,
        nodeIds: ["n0", "n1", "n2"],
        intervalMs: 1000,
        startMillis: 0,
        enabled: true
      })
      const running = yield* Effect.fork(nemesis.run)
      yield* TestClock.adjust(400_000)
      yield* Fiber.interrupt(running)
      const windows = yield* nemesis.windows
      // Partitions last, and heals hold, a time drawn from 0 to 2 intervals.
      const cuts = windows.map((w) => w.endMs - w.startMs)
      const heals = windows.slice(1).map((w, i) => w.startMs - windows[i]!.endMs)
      for (const spans of [cuts, heals]) {
        expect(Math.min(...spans)).toBeGreaterThanOrEqual(0)
        expect(Math.max(...spans)).toBeLessThan(2000)
        expect(Math.max(...spans) - Math.min(...spans)).toBeGreaterThan(1500)
        const mean = spans.reduce((a, b) => a + b, 0) / spans.length
        expect(mean).toBeGreaterThan(900)
        expect(mean).toBeLessThan(1100)
      }
      expect(windows.length).toBeGreaterThan(150)
    }).pipe(Effect.withRandom(Random.make(3))))
})
