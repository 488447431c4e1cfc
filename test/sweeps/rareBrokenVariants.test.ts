import { describe, it } from "@effect/vitest"
import { faultKinds } from "../../sim/nemesis.js"
import { expectCaught, safety, swarm } from "../sim/expectCaught.js"

/**
 * Broken rules the simulator catches in well under one seed in a hundred
 * (each first caught past seed 300 when these bounds were set), so they need
 * more seeds than `npm test` affords; the rest are in test/sim/brokenVariants.test.ts.
 */
describe("the simulator finds rarely seen broken Raft rules (src/raft/RaftRules.ts)", () => {
  it("a follower that commits past what the request confirmed", () => expectCaught("follower-commits-past-confirmed", swarm, safety, 1000),
    600_000)

  it("a leader that keeps leading when an answer shows a higher term",
    () => expectCaught("no-step-down-on-higher-term", faultKinds, [...safety, "liveness"], 1000), 600_000)
})
