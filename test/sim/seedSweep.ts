import { expect, it } from "@effect/vitest"
import { type FaultKind, faultKinds } from "../../sim/nemesis.js"
import type { ReadMode } from "../../services/RaftConfig.js"
import { defaultScenario } from "../../sim/scenario.js"
import { swarmScenario } from "../../sim/swarm.js"
import { forEachSeed, seedRange } from "./yieldingSeeds.js"

/** Seeds per test case: small enough to show progress, large enough to amortize start-up. */
const seedsPerCase = 100

const allFaults = new Set(faultKinds)

/**
 * Test cases that run `count` seeds from `firstSeed` on a cluster of `nodes`
 * with every network and process fault (or `faults`), in the fixed scenario
 * or (with `swarm`) each seed's own, and fail with each failing seed's
 * violation and the command that replays it.
 */
export const sweepSeeds = (
  nodes: number,
  firstSeed: number,
  count: number,
  { faults, readMode, swarm = false }: {
    readonly swarm?: boolean
    readonly faults?: ReadonlyArray<FaultKind>
    readonly readMode?: ReadMode
  } = {}
) => {
  const offered = faults === undefined ? allFaults : new Set(faults)
  const fixed = defaultScenario(nodes, offered)
  const drawn = (seed: number) => (swarm ? swarmScenario(seed, { nodes, faults: offered }) : fixed)
  const scenarioOf = (seed: number) => {
    const scenario = drawn(seed)
    return readMode === undefined ? scenario : { ...scenario, config: { ...scenario.config, readMode } }
  }
  const kind = swarm ? "swarm seeds" : "seeds"
  const named = (faults === undefined ? "all faults" : faults.join(", ")) + (readMode === undefined ? "" : `, in ${readMode} read mode`)
  const replayFaults = (faults === undefined ? "" : ` --faults ${faults.join(",")}`) +
    (readMode === undefined ? "" : ` --read-mode ${readMode}`)
  for (let from = firstSeed; from < firstSeed + count; from += seedsPerCase) {
    const to = Math.min(from + seedsPerCase, firstSeed + count) - 1
    it(`${kind} ${from}..${to} pass on ${nodes} nodes with ${named}`, async () => {
      const results = await forEachSeed(seedRange(from, to), scenarioOf)
      const failures = results.flatMap(({ seed, violation }) =>
        violation === null ? [] : [
          `seed ${seed}: ${violation.invariant} at ${violation.atMs} ms: ${violation.detail}\n` +
          `  replay: npm run sim -- ${swarm ? "--swarm " : ""}--seed ${seed} --nodes ${nodes}${replayFaults}`
        ]
      )
      expect(failures).toEqual([])
      // A guard against a hang, not a speed limit: 100 seeds take 30 to 90 s alone, several times that on a loaded machine.
    }, 600_000)
  }
}
