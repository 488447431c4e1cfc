import { describe } from "@effect/vitest"
import { sweepSeeds } from "../sim/seedSweep.js"

describe("our Raft on 5 simulated nodes under every fault", () => {
  sweepSeeds(5, 1, 100)
})
