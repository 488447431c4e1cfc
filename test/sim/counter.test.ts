import { describe, expect, it } from "@effect/vitest"
import { brokenVariants } from "../../sim/brokenVariants.js"
import type { BrokenVariant } from "../../sim/brokenVariants.js"
import { counterBrokenVariants } from "../../sim/counter/counterBrokenVariants.js"
import { counterSimApplication } from "../../sim/counter/counterSimApplication.js"
import { type FaultKind, faultKinds } from "../../sim/nemesis.js"
import { runSeed, type SeedResult } from "../../sim/runSeed.js"
import { defaultScenario, type Scenario } from "../../sim/scenario.js"
import type { Violation } from "../../sim/Violation.js"
import { forEachSeed, seedRange } from "./yieldingSeeds.js"

/** The fixed scenario on 3 nodes (the product's FileLog on simulated disks, snapshots every 10 entries), running the counter. */
const counterOn3 = (faults: ReadonlyArray<FaultKind>): Scenario => ({
  ...defaultScenario(3, new Set(faults)),
  application: counterSimApplication
})

const failuresOf = (results: ReadonlyArray<SeedResult>) =>
  results.flatMap(({ seed, violation }) =>
    violation === null ? [] : [`seed ${seed}: ${violation.invariant} at ${violation.atMs} ms: ${violation.detail}`]
  )

describe("the counter on the simulated cluster", () => {
  it("passes 30 seeds with every fault: Raft's invariants, snapshots of its state, liveness, a linearizable history", async () => {
    const results = await forEachSeed(seedRange(1, 30), () => counterOn3(faultKinds))
    expect(failuresOf(results)).toEqual([])
    // Judged on served operations, not on refusals alone: nearly every seed served some beyond the six liveness probes.
    expect(results.filter((result) => result.operations.ok > 6).length).toBeGreaterThanOrEqual(25)
    expect(results.every((result) => result.recoveredInMs !== null)).toBe(true)
  }, 60_000)

  it("passes 10 seeds with leader churn as well", async () => {
    const results = await forEachSeed(seedRange(1, 10), () => counterOn3([...faultKinds, "leader-churn"]))
    expect(failuresOf(results)).toEqual([])
  }, 60_000)
})

/** The first seed of `bound` on which the broken variant is caught; the same seed must pass with the product. */
const expectCaught = async (broken: BrokenVariant, invariants: ReadonlyArray<Violation["invariant"]>, bound: number) => {
  const scenario = counterOn3(faultKinds)
  const results = await forEachSeed(seedRange(1, bound), () => ({ ...scenario, broken }), (result) => result.violation !== null)
  const found = results.find((result) => result.violation !== null)
  expect(found, `no violation within ${bound} seeds`).toBeDefined()
  expect(invariants).toContain(found!.violation!.invariant)
  expect(runSeed(found!.seed, scenario).violation).toBeNull()
  return found!.violation!
}

describe("the simulator's judges catch a broken counter", () => {
  it("nodes that answer reads from their own state without a read barrier: not linearizable", async () => {
    const violation = await expectCaught(counterBrokenVariants["reads-without-barrier"], ["linearizability"], 5)
    expect(violation.detail).toMatch(/^the counter: process \d+'s read/)
  }, 60_000)

  it("a snapshot labelled one entry past what the counter applied: snapshots hold committed state", async () => {
    // Caught as a snapshot past what is committed, or as one whose state is not the counter's folded state
    // there (the passing seeds above check every snapshot against that folded state).
    await expectCaught(brokenVariants["snapshot-beyond-applied"], ["snapshots hold committed state"], 5)
  }, 60_000)
})
