import { describe } from "@effect/vitest"
import { sweepSeeds } from "../sim/seedSweep.js"

describe("our Raft on 3 simulated nodes under every fault", () => {
  sweepSeeds(3, 1, 300)
})
