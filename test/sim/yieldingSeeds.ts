import { runSeed, type SeedResult } from "../../sim/runSeed.js"
import type { Scenario } from "../../sim/scenario.js"

/**
 * Runs seeds one after another and gives the event loop a turn between them.
 * A seed runs synchronously; a test that ran many in one stretch would keep the
 * test worker from answering its runner, which then fails the whole run with
 * "Timeout calling onTaskUpdate" even though every test passed.
 */
export const forEachSeed = async (
  seeds: Iterable<number>,
  scenarioOf: (seed: number) => Scenario,
  stopWhen: (result: SeedResult) => boolean = () => false
): Promise<Array<SeedResult>> => {
  const results: Array<SeedResult> = []
  for (const seed of seeds) {
    await new Promise((resolve) => setImmediate(resolve))
    const result = runSeed(seed, scenarioOf(seed))
    results.push(result)
    if (stopWhen(result)) break
  }
  return results
}

/** Seeds from..to, inclusive. */
export const seedRange = (from: number, to: number): Array<number> => Array.from({ length: to - from + 1 }, (_, i) => from + i)
