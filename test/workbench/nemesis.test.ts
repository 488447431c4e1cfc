import { describe, expect, it } from "@effect/vitest"
import { Clock, Effect, Fiber, Option, Random, Ref, TestClock } from "effect"
import { type Fault, type FaultKind, makeNemesis, type Strike } from "../../workbench/nemesis.js"
import { partitionFault } from "../../workbench/partitionFault.js"
import { makeRouter } from "../../workbench/router.js"

/** A fault that only records what it was asked to do. */
const recordingFault = (kind: FaultKind, log: Ref.Ref<ReadonlyArray<string>>, healProblem?: string): Fault => ({
  kind,
  inject: Effect.gen(function*() {
    const node = `n${yield* Random.nextIntBetween(0, 3)}`
    yield* Ref.update(log, (l) => [...l, `${kind} ${node}`])
    return Option.some({
      description: `${kind} ${node}`,
      nodes: [node],
      heal: Effect.as(Ref.update(log, (l) => [...l, `heal ${kind} ${node}`]), Option.fromNullable(healProblem))
    })
  })
})

/** A transfer strike that takes 200 ms to learn its outcome. */
const slowStrike = (log: Ref.Ref<ReadonlyArray<string>>): Strike => ({
  kind: "transfer",
  strike: Effect.gen(function*() {
    yield* Ref.update(log, (l) => [...l, "strike"])
    yield* Effect.sleep(200)
    return {
      description: "n0 asked to hand leadership over: installed, n1 leads",
      nodes: ["n0"],
      transfer: { node: "n0", to: null, outcome: "installed", leader: "n1" }
    }
  })
})

/** Runs the nemesis for `ms` of test time, then heals; every window. */
const runFor = (faults: ReadonlyArray<Fault | Strike>, ms: number, seed: number) =>
  Effect.gen(function*() {
    const nemesis = yield* makeNemesis({ faults, intervalMs: 1000, startMillis: yield* Clock.currentTimeMillis, seed })
    const running = yield* Effect.fork(nemesis.run)
    yield* TestClock.adjust(ms)
    const inForceAtTheEnd = yield* nemesis.state
    yield* nemesis.healAll
    yield* nemesis.healAll
    // Nothing is injected after the heal, however long the nemesis runs on.
    yield* TestClock.adjust(ms)
    yield* Fiber.interrupt(running)
    return { windows: yield* nemesis.windows, inForceAtTheEnd, state: yield* nemesis.state }
  })

describe("the nemesis", () => {
  it.scoped("partitions and heals at random times --nemesis-interval apart on average, as Jepsen's stagger does", () =>
    Effect.gen(function*() {
      const router = yield* makeRouter({ nodes: new Map(), latency: { _tag: "Constant", ms: 0 } })
      const { windows } = yield* runFor([partitionFault(router, ["n0", "n1", "n2"])], 400_000, 3)
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
      expect(windows.every((w) => w.kind === "partition" && w.nodes.length >= 2)).toBe(true)
    }))

  it.effect("runs each fault kind on its own schedule, so kinds overlap, and a kind's schedule depends on the seed alone", () =>
    Effect.gen(function*() {
      const log = yield* Ref.make<ReadonlyArray<string>>([])
      const together = yield* runFor([recordingFault("kill", log), recordingFault("pause", log)], 60_000, 7)
      const killAlone = yield* runFor([recordingFault("kill", log)], 60_000, 7)
      // Each run starts at another test-clock time: compare to the millisecond.
      const rounded = (ws: typeof together.windows) => ws.map((w) => ({ ...w, startMs: Math.round(w.startMs), endMs: Math.round(w.endMs) }))
      const kills = together.windows.filter((w) => w.kind === "kill")
      expect(rounded(kills)).toEqual(rounded(killAlone.windows))
      expect(kills.length).toBeGreaterThan(10)
      // The draws, both of times and of nodes, come from the kind's own stream: another seed, another schedule.
      const otherSeed = yield* runFor([recordingFault("kill", log)], 60_000, 8)
      expect(rounded(otherSeed.windows)).not.toEqual(rounded(killAlone.windows))
      const pauses = together.windows.filter((w) => w.kind === "pause")
      expect(pauses.some((p) => kills.some((k) => k.startMs < p.endMs && p.startMs < k.endMs))).toBe(true)
    }))

  it.effect("heals every fault in force at the end, once, and records a heal that went wrong", () =>
    Effect.gen(function*() {
      const log = yield* Ref.make<ReadonlyArray<string>>([])
      const { inForceAtTheEnd, state, windows } = yield* runFor(
        [recordingFault("kill", log, "n1 did not come back"), recordingFault("pause", log)],
        5_000,
        7
      )
      expect(inForceAtTheEnd.split("; ").sort().join("; ")).toMatch(/^kill n\d; pause n\d$/)
      const entries = yield* Ref.get(log)
      expect(entries.filter((e) => e.startsWith("heal")).length).toBe(entries.filter((e) => !e.startsWith("heal")).length)
      expect(windows.length).toBe(entries.length / 2)
      expect(windows.every((w) => w.endMs >= w.startMs)).toBe(true)
      expect(windows.filter((w) => w.kind === "kill").every((w) => w.problem === "n1 did not come back")).toBe(true)
      expect(windows.filter((w) => w.kind === "pause").every((w) => w.problem === undefined)).toBe(true)
      expect(state).toBe("healed")
    }))

  it.effect("strikes after each random wait, lists each strike over the time it took, and strikes no more after the heal", () =>
    Effect.gen(function*() {
      const log = yield* Ref.make<ReadonlyArray<string>>([])
      const { state, windows } = yield* runFor([slowStrike(log)], 100_000, 4)
      expect(windows.length).toBe((yield* Ref.get(log)).length)
      // A wait of 0 to 2 intervals, then 200 ms of strike: about 83 in 100 s.
      expect(windows.length).toBeGreaterThan(70)
      expect(windows.length).toBeLessThan(97)
      for (const w of windows) {
        expect(Math.round(w.endMs - w.startMs)).toBe(200)
        expect(w).toMatchObject({ kind: "transfer", transfer: { outcome: "installed", leader: "n1" } })
      }
      const gaps = windows.slice(1).map((w, i) => w.startMs - windows[i]!.endMs)
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(0)
      expect(Math.max(...gaps)).toBeLessThan(2000)
      // A strike is never a fault in force.
      expect(state).toBe("healed")
    }))

  it.effect("lets a strike under way finish before the final heal, so its outcome is listed", () =>
    Effect.gen(function*() {
      const log = yield* Ref.make<ReadonlyArray<string>>([])
      const nemesis = yield* makeNemesis({ faults: [slowStrike(log)], intervalMs: 1000, startMillis: 0, seed: 4 })
      const running = yield* Effect.fork(nemesis.run)
      // The strike starts within the last 10 ms: 190 to 200 ms of it are left.
      while ((yield* Ref.get(log)).length === 0) yield* TestClock.adjust(10)
      const healing = yield* Effect.fork(nemesis.healAll)
      yield* TestClock.adjust(189)
      expect(healing.unsafePoll()).toBeNull()
      yield* TestClock.adjust(11)
      yield* Fiber.join(healing)
      yield* Fiber.interrupt(running)
      expect((yield* nemesis.windows).length).toBe(1)
    }))

  it.effect("undoes what strikes left once, at the final heal, after every fault in force is healed, and lists it with its problem", () =>
    Effect.gen(function*() {
      const log = yield* Ref.make<ReadonlyArray<string>>([])
      const restoring: Strike = {
        kind: "membership",
        strike: Effect.succeed({ description: "n0 asked to remove n1: installed, voters [n0 n2]", nodes: ["n0", "n1"] }),
        finalHeal: Effect.as(
          Ref.update(log, (l) => [...l, "final heal"]),
          Option.some({ description: "every node made a voter again", nodes: ["n1"], problem: "n1 stayed out" })
        )
      }
      const { windows } = yield* runFor([restoring, recordingFault("kill", log)], 10_000, 6)
      const entries = yield* Ref.get(log)
      expect(entries.filter((entry) => entry === "final heal")).toEqual(["final heal"])
      // The kill in force at the end is healed first: the final heal works on a whole cluster.
      expect(entries.at(-1)).toBe("final heal")
      expect(entries.at(-2)).toMatch(/^heal kill/)
      const last = windows.at(-1)!
      expect(last).toMatchObject({ kind: "membership", description: "every node made a voter again", problem: "n1 stayed out" })
      expect(windows.filter((w) => w.kind === "membership").length).toBeGreaterThan(5)
    }))
})
