import { describe, expect, it } from "@effect/vitest"
import { defaultRaftConfig } from "../../services/RaftConfig.js"
import {
  clockDriftBound,
  leaseDurationMs,
  leaseExpiresAtMs,
  leaseValid,
  voteHeldAfterStart
} from "../../src/raft/leaseRules.js"

describe("lease reads' rules (src/raft/leaseRules.ts)", () => {
  it("the lease is the shortest election timeout shrunk by the drift bound on both clocks, less the readings' rounding", () => {
    expect(clockDriftBound).toBe(0.1)
    expect(leaseDurationMs(400)).toBeCloseTo(400 * 0.9 / 1.1 - 2, 9)
    expect(Math.floor(leaseDurationMs(defaultRaftConfig.electionTimeoutMinMs))).toBe(325)
  })

  it("whatever the two clocks' rates within the bound, the lease ends before the vote lease of the follower that answered", () => {
    const electionTimeoutMinMs = 400
    // The follower takes the request in at the latest possible real time, its clock at the fastest; the leader's at the slowest.
    for (const followerRate of [1 - clockDriftBound, 1, 1 + clockDriftBound]) {
      for (const leaderRate of [1 - clockDriftBound, 1, 1 + clockDriftBound]) {
        const sentRealMs = 1000
        const receivedRealMs = sentRealMs + 7
        // The follower grants votes again once its clock has counted the shortest election timeout.
        const voteLeaseEndsRealMs = receivedRealMs + electionTimeoutMinMs / followerRate
        // The leader's clock (any origin) says the lease ends at sent + duration, its own milliseconds.
        const leaseEndsRealMs = sentRealMs + leaseDurationMs(electionTimeoutMinMs) / leaderRate
        expect(leaseEndsRealMs).toBeLessThan(voteLeaseEndsRealMs)
      }
    }
  })

  it("counted from when the answered request was sent, not from when its answer came", () => {
    const config = { electionTimeoutMinMs: 400, electionTimeoutMaxMs: 800 }
    expect(leaseExpiresAtMs(1000, 1300, config)).toBe(1000 + leaseDurationMs(400))
  })

  it("holds strictly before its expiry", () => {
    expect(leaseValid(1326, 1327)).toBe(true)
    expect(leaseValid(1327, 1327)).toBe(false)
    expect(leaseValid(5000, 1327)).toBe(false)
    expect(leaseValid(0, Number.MIN_SAFE_INTEGER)).toBe(false)
  })

  it("in lease mode a restarted node holds back its vote for the shortest election timeout; in index mode it does not", () => {
    expect(voteHeldAfterStart("lease", 1000 + 399, 1000, 400)).toBe(true)
    expect(voteHeldAfterStart("lease", 1000 + 400, 1000, 400)).toBe(false)
    expect(voteHeldAfterStart("index", 1000, 1000, 400)).toBe(false)
  })
})
