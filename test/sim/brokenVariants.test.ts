import { describe, expect, it } from "@effect/vitest"
import { type FaultKind, faultKinds } from "../../sim/nemesis.js"
import { pressureScenarios } from "../../sim/pressureScenarios.js"
import { defaultScenario } from "../../sim/scenario.js"
import { expectCaught, safety, type ScenarioOf } from "./expectCaught.js"

describe("the simulator finds deliberately broken Raft", () => {
  it("a log that loses the term and vote on restart (double voting)",
    () => expectCaught("forget-vote", ["crash"], ["one leader per term", "log matching", "node failure"]), 120_000)

  it("a disk whose fsync makes nothing durable: a crash loses acknowledged votes and entries",
    () =>
      expectCaught("unsynced-acknowledgement", ["crash"], [
        "committed entries stay",
        "one leader per term",
        "log matching",
        "leader completeness",
        "applied sequences agree",
        "linearizability",
        "node failure"
      ], 5), 120_000)

  it("a node that lost storage (wiped, a record damaged) votes and campaigns on what is left: a leader lacking committed entries",
    () => expectCaught("vote-despite-lost-storage", ["partition", "crash", "wipe", "bitflip"], safety, 20), 120_000)

  it("a log that deletes one entry more than the conflicting suffix", () =>
    expectCaught("truncate-one-more", faultKinds, [
      "committed entries stay",
      "log matching",
      "applied sequences agree",
      "leader completeness",
      "node failure",
      // A follower whose log went wrong can also stall for good: the cluster never converges.
      "liveness"
    ]), 120_000)

  it("nodes that never grant a vote: no leader, ever, and so nothing served", async () => {
    // Every history is trivially linearizable here: only the liveness phase can tell.
    const found = await expectCaught("votes-never-granted", faultKinds, ["liveness"], 3)
    expect(found.violation!.detail).toContain("no single leader that every node follows")
    expect(found.operations.ok).toBe(0)
  }, 120_000)

  it("followers that never learn what is committed: the leader serves, the nodes never converge", async () => {
    const found = await expectCaught("followers-never-commit", faultKinds, ["liveness"], 3)
    expect(found.violation!.detail).toContain("the nodes did not converge")
  }, 120_000)

  describe("Raft's rules, each broken alone (src/raft/RaftRules.ts)", () => {
    it("votes without the up-to-date check: a leader lacking committed entries",
      () => expectCaught("vote-without-up-to-date-check", faultKinds, safety, 100), 120_000)

    it("a follower that truncates its log on every AppendEntries, as the tutorial's does",
      () => expectCaught("truncate-on-every-append", faultKinds, safety, 20), 120_000)

    // Two rules whose breakage shows in well under one seed in a hundred, and the reads answered without a confirmed
    // quorum (ReadIndex or lease), whose seeds are slow, are checked in test/sweeps/rareBrokenVariants.test.ts.

    it("a new leader reading at its commit index before it has committed an entry of its term", () =>
      // Leaders cut off while what travels to them still arrives, writes committed just before: caught at seed 5
      // of the read-churn scenario (1 of its first 100 seeds).
      expectCaught("read-before-noop", () => pressureScenarios["read-churn"], ["linearizability"], 10), 120_000)

    it("a snapshot labelled one entry past what was applied",
      () => expectCaught("snapshot-beyond-applied", faultKinds, ["snapshots hold committed state", ...safety], 5), 120_000)

    it("a leader that commits an entry of an earlier term by counting replicas (the Raft paper's figure 8)", () => {
      // Leaders deposed within milliseconds of their election, one entry per AppendEntries and one in flight, quick
      // elections: a later leader replicates a deposed leader's entry to a majority before its own no-op, then is
      // cut off itself, and a node without that entry can win. With batching, the no-op travels with the old
      // entry and the broken rule never differs from Raft's (none in 300 fixed or swarm seeds).
      const figure8: ScenarioOf = () => ({
        ...defaultScenario(5, new Set(["leader-churn"])),
        workloadMs: 5_000,
        config: {
          maxEntriesPerMessage: 1,
          maxInflightPerPeer: 1,
          heartbeatMs: 20,
          electionTimeoutMinMs: 100,
          electionTimeoutMaxMs: 200,
          rpcTimeoutMs: 100
        }
      })
      return expectCaught("commit-old-term-by-counting", figure8, ["leader completeness", "committed entries stay",
        "applied sequences agree"], 20)
    }, 300_000)
  })

  describe("membership changes, each rule broken alone (src/raft/configurations.ts)", () => {
    // Membership changes at every fault action with partitions (and crashes): changes cut off halfway, leaders deposed mid-change.
    const membership = (nodes: number, faults: ReadonlyArray<FaultKind>): ScenarioOf => () => defaultScenario(nodes, new Set(faults))

    it("a joint configuration whose decisions count only the incoming voters: a leader elected without a committed entry",
      () => expectCaught("joint-quorum-new-only", membership(5, ["partition", "membership"]), safety, 20), 120_000)

    it("a joint configuration left before it commits (two changes in flight): caught by the leader's commit index as it sends them",
      () =>
        expectCaught("leave-joint-uncommitted", membership(5, ["partition", "membership"]), ["one configuration change at a time",
          ...safety], 20), 120_000)

    it("a change started before the leader committed an entry of its term", () =>
      // A leader cut off within milliseconds of its election, its clients still reaching it: 2 of the first 30 seeds.
      expectCaught("change-before-own-term-commit", () => pressureScenarios["membership-churn"], ["one configuration change at a time"],
        20), 120_000)

    it("learners counted as voters: quorums the real voters do not make, and a cluster that cannot elect",
      () => expectCaught("learner-counted-as-voter", membership(3, ["partition", "crash", "membership"]), [...safety, "liveness"], 20),
      120_000)

    it("a configuration acted on only once known committed: nodes deciding with different voters, and a cluster that cannot elect",
      () =>
        expectCaught("configuration-once-committed", membership(3, ["partition", "crash", "membership"]), [
          // Taking the committed configuration for the latest, a leader also starts a change while one is in flight.
          "one configuration change at a time",
          ...safety,
          "liveness"
        ], 40), 120_000)
  })

  describe("the lin-kv application's rules, each broken alone (src/kv/LinKvRules.ts)", () => {
    it("followers answering reads from their own state", () => expectCaught("followers-serve-reads", faultKinds, ["linearizability"], 20),
      120_000)

    // A duplicated forward proposed twice: its seeds are slow, in test/sweeps/rareBrokenVariants.test.ts.
  })

  it("a leader without its no-op: reads wait for a write that does not come", async () => {
    const found = await expectCaught("no-noop-on-election", faultKinds, ["liveness"], 10)
    expect(found.violation!.detail).toMatch(/a read of key \d+ through n\d never succeeded/)
  }, 120_000)
})
