import { describe } from "@effect/vitest"
import { sweepSeeds } from "../sim/seedSweep.js"

// One of two files, so that the test runner can run the halves side by side.
describe("our Raft on 3 simulated nodes, each seed drawing its own scenario", () => {
  sweepSeeds(3, 1, 350, { swarm: true })
})
