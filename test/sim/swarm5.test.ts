import { describe } from "@effect/vitest"
import { sweepSeeds } from "./seedSweep.js"

describe("our Raft on 5 simulated nodes, each seed drawing its own scenario", () => {
  sweepSeeds(5, 1, 400, { swarm: true })
})
