import { describe } from "@effect/vitest"
import { sweepSeeds } from "./seedSweep.js"

describe("our Raft on 3 simulated nodes, each seed drawing its own scenario", () => {
  sweepSeeds(3, 1, 600, { swarm: true })
})
