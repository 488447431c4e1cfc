import { describe } from "@effect/vitest"
import { faultKinds } from "../../sim/nemesis.js"
import { clockFaultKinds } from "../../sim/NodeClock.js"
import { sweepSeeds } from "../sim/seedSweep.js"

// Lease reads (src/raft/leaseRules.ts) under everything, with paused nodes and clocks drifting within the lease's bound.
describe("our Raft in lease read mode, on 3 simulated nodes, each seed drawing its own scenario", () => {
  sweepSeeds(3, 1, 100, { swarm: true, faults: [...faultKinds, ...clockFaultKinds], readMode: "lease" })
})
