import { parentPort, workerData } from "node:worker_threads"
import { runSeed } from "./runSeed.js"
import { type ScenarioSpec, scenarioOfSpec } from "./scenarioSpec.js"
import type { SeedOutcome } from "./parallelSeeds.js"

/**
 * A worker thread of `npm run sim` (see sim/parallelSeeds.ts): builds each
 * seed's scenario from the run's spec, runs the seed, and answers with its
 * outcome (the history stays here: the main thread never needs it).
 */
const port = parentPort
if (port === null) throw new Error("sim/seedWorker.js runs as a worker thread of sim/main.js, not on its own")
const scenarioOf = scenarioOfSpec(workerData as ScenarioSpec)
port.on("message", (seed: number) => {
  const { history: _history, ...outcome } = runSeed(seed, scenarioOf(seed))
  port.postMessage(outcome satisfies SeedOutcome)
})
