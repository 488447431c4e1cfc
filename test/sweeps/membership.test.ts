import { describe } from "@effect/vitest"
import { sweepSeeds } from "../sim/seedSweep.js"

/** The network and process faults, with an operator changing who votes and who leads meanwhile. */
const faults = ["partition", "loss", "dup", "reorder", "slow", "crash", "membership", "transfer"] as const

describe("our Raft on 5 simulated nodes while its membership changes", () => {
  sweepSeeds(5, 1, 50, { faults })
  sweepSeeds(5, 1, 50, { faults, swarm: true })
})
