import { describe, expect, it } from "@effect/vitest"
import { type BrokenVariantName, brokenVariants } from "../../sim/brokenVariants.js"
import { type FaultKind, faultKinds } from "../../sim/nemesis.js"
import { runSeed, type SeedResult } from "../../sim/runSeed.js"
import { defaultScenario } from "../../sim/scenario.js"
import type { Violation } from "../../sim/Violation.js"

/** The simulator must catch each broken variant within this many seeds. */
const seedBound = 60

const firstFailure = (broken: BrokenVariantName, faults: ReadonlyArray<FaultKind>, bound: number) => {
  const scenario = { ...defaultScenario(3, new Set(faults)), broken: brokenVariants[broken] }
  for (let seed = 1; seed <= bound; seed++) {
    const result = runSeed(seed, scenario)
    if (result.violation !== null) return result
  }
  return undefined
}

const expectCaught = (
  broken: BrokenVariantName,
  faults: ReadonlyArray<FaultKind>,
  invariants: ReadonlyArray<Violation["invariant"]>,
  bound = seedBound
) => {
  const found: SeedResult | undefined = firstFailure(broken, faults, bound)
  expect(found, `no violation within ${bound} seeds`).toBeDefined()
  expect(invariants).toContain(found!.violation!.invariant)
  // The same seed with the product passes: the violation is the variant's doing.
  expect(runSeed(found!.seed, defaultScenario(3, new Set(faults))).violation).toBeNull()
  return found!
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
      "node failure",
      // A follower whose log went wrong can also stall for good: the cluster never converges.
      "liveness"
    ]), 120_000)

  it("nodes that never grant a vote: no leader, ever, and so nothing served", () => {
    // Every history is trivially linearizable here: only the liveness phase can tell.
    const found = expectCaught("votes-never-granted", faultKinds, ["liveness"], 3)
    expect(found.violation!.detail).toContain("no single leader that every node follows")
    expect(found.operations.ok).toBe(0)
  }, 120_000)

  it("followers that never learn what is committed: the leader serves, the nodes never converge", () => {
    const found = expectCaught("followers-never-commit", faultKinds, ["liveness"], 3)
    expect(found.violation!.detail).toContain("the nodes did not converge")
  }, 120_000)

  it("a leader without its no-op: reads wait for a write that does not come", () => {
    const found = expectCaught("no-noop-on-election", faultKinds, ["liveness"], 10)
    expect(found.violation!.detail).toMatch(/a read of key \d+ through n\d never succeeded/)
  }, 120_000)
})
