import { expect } from "@effect/vitest"
import type { BrokenVariantName } from "../../sim/brokenVariants.js"
import { brokenVariants } from "../../sim/brokenVariants.js"
import { type FaultKind, faultKinds } from "../../sim/nemesis.js"
import { runSeed, type SeedResult } from "../../sim/runSeed.js"
import { defaultScenario, type Scenario } from "../../sim/scenario.js"
import { swarmScenario } from "../../sim/swarm.js"
import type { Violation } from "../../sim/Violation.js"
import { forEachSeed, seedRange } from "./yieldingSeeds.js"

/** The simulator must catch each broken variant within this many seeds. */
const seedBound = 60

/** Which scenario a seed runs: the fixed one on 3 nodes, or the one a swarm seed draws. */
export type ScenarioOf = (seed: number) => Scenario
export const fixedOn3 = (faults: ReadonlyArray<FaultKind>): ScenarioOf => () => defaultScenario(3, new Set(faults))
export const swarm: ScenarioOf = (seed) => swarmScenario(seed, { faults: new Set(faultKinds) })

const firstFailure = async (broken: BrokenVariantName, scenarioOf: ScenarioOf, bound: number) => {
  const results = await forEachSeed(
    seedRange(1, bound),
    (seed) => ({ ...scenarioOf(seed), broken: brokenVariants[broken] }),
    (result) => result.violation !== null
  )
  return results.find((result) => result.violation !== null)
}

/**
 * Runs seeds 1..bound of the scenario with the broken variant until one breaks
 * an invariant, which must be one of `invariants`; the same seed must pass
 * with the product.
 */
export const expectCaught = async (
  broken: BrokenVariantName,
  faults: ReadonlyArray<FaultKind> | ScenarioOf,
  invariants: ReadonlyArray<Violation["invariant"]>,
  bound = seedBound
) => {
  const scenarioOf = typeof faults === "function" ? faults : fixedOn3(faults)
  const found: SeedResult | undefined = await firstFailure(broken, scenarioOf, bound)
  expect(found, `no violation within ${bound} seeds`).toBeDefined()
  expect(invariants).toContain(found!.violation!.invariant)
  // The same seed with the product passes: the violation is the variant's doing.
  expect(runSeed(found!.seed, scenarioOf(found!.seed)).violation).toBeNull()
  return found!
}

/** Every safety invariant: a broken rule may show as any of them. */
export const safety: ReadonlyArray<Violation["invariant"]> = [
  "one leader per term",
  "log matching",
  "committed entries stay",
  "leader completeness",
  "applied sequences agree",
  "linearizability",
  "node failure"
]
