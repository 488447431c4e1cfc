import { describe, expect, it } from "@effect/vitest"
import { type BrokenLog, brokenLogs } from "../../sim/brokenLogs.js"
import { type FaultKind, faultKinds } from "../../sim/nemesis.js"
import { defaultScenario, runSeed, type SeedResult } from "../../sim/runSeed.js"
import type { Violation } from "../../sim/Violation.js"

/** The simulator must catch each broken variant within this many seeds. */
const seedBound = 60

const firstFailure = (broken: BrokenLog, faults: ReadonlyArray<FaultKind>) => {
  const scenario = { ...defaultScenario(3, new Set(faults)), openLog: brokenLogs[broken] }
  for (let seed = 1; seed <= seedBound; seed++) {
    const result = runSeed(seed, scenario)
    if (result.violation !== null) return result
  }
  return undefined
}

const expectCaught = (
  broken: BrokenLog,
  faults: ReadonlyArray<FaultKind>,
  invariants: ReadonlyArray<Violation["invariant"]>
) => {
  const found: SeedResult | undefined = firstFailure(broken, faults)
  expect(found, `no violation within ${seedBound} seeds`).toBeDefined()
  expect(invariants).toContain(found!.violation!.invariant)
  // The same seed with the product's log passes: the violation is the variant's doing.
  expect(runSeed(found!.seed, defaultScenario(3, new Set(faults))).violation).toBeNull()
}

describe("the simulator finds deliberately broken Raft", () => {
  it("a log that loses the term and vote on restart (double voting)", () =>
    expectCaught("forget-vote", ["crash"], ["one leader per term", "log matching", "node failure"]), 120_000)

  it("a log that deletes one entry more than the conflicting suffix", () =>
    expectCaught("truncate-one-more", faultKinds, [
      "committed entries stay",
      "log matching",
      "applied sequences agree",
      "leader completeness",
      "node failure"
    ]), 120_000)
})
