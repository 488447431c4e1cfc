import { expect, it } from "@effect/vitest"
import { faultKinds } from "../../sim/nemesis.js"
import { defaultScenario } from "../../sim/scenario.js"
import { swarmScenario } from "../../sim/swarm.js"
import { forEachSeed, seedRange } from "./yieldingSeeds.js"

/** Seeds per test case: small enough to show progress, large enough to amortize start-up. */
const seedsPerCase = 100

const allFaults = new Set(faultKinds)

/**
 * Test cases that run `count` seeds from `firstSeed` on a cluster of `nodes`
 * with every fault, in the fixed scenario or (with `swarm`) each seed's own,
 * and fail with each failing seed's violation and the command that replays it.
 */
export const sweepSeeds = (nodes: number, firstSeed: number, count: number, { swarm = false } = {}) => {
  const fixed = defaultScenario(nodes, allFaults)
  const scenarioOf = (seed: number) => (swarm ? swarmScenario(seed, { nodes, faults: allFaults }) : fixed)
  const kind = swarm ? "swarm seeds" : "seeds"
  for (let from = firstSeed; from < firstSeed + count; from += seedsPerCase) {
    const to = Math.min(from + seedsPerCase, firstSeed + count) - 1
    it(`${kind} ${from}..${to} pass on ${nodes} nodes with all faults`, async () => {
      const results = await forEachSeed(seedRange(from, to), scenarioOf)
      const failures = results.flatMap(({ seed, violation }) =>
        violation === null ? [] : [
          `seed ${seed}: ${violation.invariant} at ${violation.atMs} ms: ${violation.detail}\n` +
          `  replay: npm run sim -- ${swarm ? "--swarm " : ""}--seed ${seed} --nodes ${nodes}`
        ]
      )
      expect(failures).toEqual([])
    }, 300_000)
  }
}
