import { describe, expect, it } from "@effect/vitest"
import { type PressureScenarioName, pressureScenarios } from "../../sim/pressureScenarios.js"
import { forEachSeed, seedRange } from "../sim/yieldingSeeds.js"

/** Seeds 1..count of a named pressure scenario pass, or fail with each failing seed's violation and replay command. */
const sweepScenario = (name: PressureScenarioName, count: number) =>
  it(`seeds 1..${count} of ${name} pass`, async () => {
    const results = await forEachSeed(seedRange(1, count), () => pressureScenarios[name])
    const failures = results.flatMap(({ seed, violation }) =>
      violation === null ? [] : [
        `seed ${seed}: ${violation.invariant} at ${violation.atMs} ms: ${violation.detail}\n` +
        `  replay: npm run sim -- --scenario ${name} --seed ${seed}`
      ]
    )
    expect(failures).toEqual([])
  }, 600_000)

// Where the broken read-before-noop, snapshot-keeps-divergent-suffix, change-before-own-term-commit and
// lease-outlives-quorum are caught (test/sim/brokenVariants.test.ts, rareBrokenVariants.test.ts): the product passes
// the same scenarios.
describe("our Raft under the simulator's pressure scenarios (sim/pressureScenarios.ts)", () => {
  sweepScenario("read-churn", 60)
  sweepScenario("divergent-snapshot", 15)
  sweepScenario("membership-churn", 100)
  sweepScenario("stale-leader", 30)
})
