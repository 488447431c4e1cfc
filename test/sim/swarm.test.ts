import { describe, expect, it } from "@effect/vitest"
import { faultKinds } from "../../sim/nemesis.js"
import { clockFaultKinds } from "../../sim/NodeClock.js"
import { runSeed } from "../../sim/runSeed.js"
import { swarmScenario } from "../../sim/swarm.js"
import { Trace } from "../../sim/Trace.js"
import { forEachSeed, seedRange } from "./yieldingSeeds.js"

const allFaults = new Set(faultKinds)

describe("swarm seeds", () => {
  it("a seed names its scenario exactly; another seed draws another", () => {
    expect(swarmScenario(42, { faults: allFaults })).toEqual(swarmScenario(42, { faults: allFaults }))
    expect(swarmScenario(43, { faults: allFaults })).not.toEqual(swarmScenario(42, { faults: allFaults }))
  })

  it("draws across the whole space, and keeps what the options fix", () => {
    const drawn = Array.from({ length: 300 }, (_, i) => swarmScenario(i + 1, { faults: allFaults }))
    expect(new Set(drawn.map((s) => s.nodes))).toEqual(new Set([1, 2, 3, 4, 5, 6, 7]))
    expect(new Set(drawn.map((s) => s.latency._tag))).toEqual(new Set(["Constant", "Uniform", "Exponential"]))
    expect(drawn.some((s) => s.config?.maxEntriesPerMessage === 1)).toBe(true)
    expect(drawn.some((s) => s.config?.maxInflightPerPeer === 1)).toBe(true)
    expect(drawn.some((s) => s.faults.size === 0)).toBe(true)
    expect(drawn.some((s) => s.faults.size >= 4)).toBe(true)
    expect(drawn.some((s) => s.mix.read === 0)).toBe(true)
    for (const s of drawn) {
      expect(s.config!.electionTimeoutMaxMs!).toBeGreaterThan(s.config!.electionTimeoutMinMs!)
      expect(s.config!.heartbeatMs! * 3).toBeLessThanOrEqual(s.config!.electionTimeoutMinMs!)
      expect(s.clients).toBeGreaterThanOrEqual(1)
    }
    const fixed = Array.from({ length: 50 },
      (_, i) => swarmScenario(i + 1, { nodes: 5, faults: new Set(["crash", "loss"] as const), workloadMs: 2_000 }))
    for (const s of fixed) {
      expect(s.nodes).toBe(5)
      expect(s.workloadMs).toBe(2_000)
      for (const kind of s.faults) expect(["crash", "loss"]).toContain(kind)
    }
  })

  it("offered pauses and clock drift, a seed draws them after everything else: the rest of its scenario is what it was", () => {
    const withClocks = new Set([...faultKinds, ...clockFaultKinds])
    const drawn = Array.from({ length: 100 },
      (_, i) => [swarmScenario(i + 1, { faults: allFaults }), swarmScenario(i + 1, { faults: withClocks })])
    for (const [before, after] of drawn) {
      expect({ ...after, faults: [...after!.faults].filter((kind) => !(clockFaultKinds as ReadonlyArray<string>).includes(kind)) })
        .toEqual({ ...before, faults: [...before!.faults] })
    }
    expect(drawn.some(([, after]) => after!.faults.has("pause") && after!.faults.has("drift"))).toBe(true)
    expect(drawn.some(([, after]) => !after!.faults.has("pause") && !after!.faults.has("drift"))).toBe(true)
  })

  it("lease reads with pauses and clock drift: a swarm seed replays event for event, and the first seeds pass", async () => {
    const withClocks = new Set([...faultKinds, ...clockFaultKinds])
    const lease = (seed: number) => {
      const scenario = swarmScenario(seed, { faults: withClocks })
      return { ...scenario, config: { ...scenario.config, readMode: "lease" as const } }
    }
    const scenario = { ...lease(3), nodes: 3, faults: new Set([...lease(3).faults, "pause", "drift"] as const), workloadMs: 1_500 }
    const traced = () => {
      const trace = new Trace(0)
      const result = runSeed(3, scenario, trace)
      return { result, hash: trace.digest() }
    }
    const first = traced()
    expect(first.result.violation).toBeNull()
    expect(traced().hash).toBe(first.hash)
    const results = await forEachSeed(seedRange(1, 15), lease)
    expect(results.flatMap(({ seed, violation }) => violation === null ? [] : [`seed ${seed}: ${violation.invariant}`])).toEqual([])
  }, 300_000)

  it("a swarm seed replays event for event", () => {
    const scenario = swarmScenario(5, { nodes: 3, faults: allFaults, workloadMs: 1_500 })
    const traced = () => {
      const trace = new Trace(0)
      const result = runSeed(5, scenario, trace)
      return { result, hash: trace.digest() }
    }
    const first = traced()
    expect(first.result.violation).toBeNull()
    expect(traced().hash).toBe(first.hash)
  })

  it("the product passes the first swarm seeds, on every cluster size from 1 to 7", async () => {
    const seeds = seedRange(1, 25)
    expect(new Set(seeds.map((seed) => swarmScenario(seed, { faults: allFaults }).nodes)).size).toBe(7)
    const results = await forEachSeed(seeds, (seed) => swarmScenario(seed, { faults: allFaults }))
    const failures = results.flatMap(({ seed, violation }) =>
      violation === null ? [] : [
        `seed ${seed}: ${violation.invariant}: ${violation.detail}; replay: npm run sim -- --swarm --seed ${seed}`
      ]
    )
    expect(failures).toEqual([])
  }, 300_000)
})
