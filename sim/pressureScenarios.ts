import { defaultScenario, type Scenario } from "./scenario.js"

/** Quick elections, so that leaders change many times in a run. */
const quickElections = { heartbeatMs: 20, electionTimeoutMinMs: 100, electionTimeoutMaxMs: 200 } as const

/**
 * Scenarios aimed at what the fixed scenario and the swarm rarely reach,
 * each around one of the opt-in faults (sim/nemesis.ts).
 */
export const pressureScenarios = {
  /**
   * Reads in flight through leader churn: every new leader is cut off after
   * a short reign while what travels to it still arrives, with duplication
   * and reordering switched on and off; mostly reads, at 100 operations/s.
   * RPC timeouts outlast the reordering's delay, so late answers are taken
   * in, not timed out: where ReadIndex bookkeeping that counts the wrong
   * answers makes a deposed leader serve a stale read.
   */
  "read-churn": {
    ...defaultScenario(3, new Set(["late-answers", "dup", "reorder", "loss"])),
    faultIntervalMs: { min: 50, max: 300 },
    workloadMs: 4_000,
    rate: 100,
    mix: { read: 4, write: 1, cas: 1 },
    clientTimeoutMs: 300,
    config: { ...quickElections, rpcTimeoutMs: 300, snapshotEvery: 10, snapshotChunkChars: 64 }
  },
  /**
   * A follower left with a divergent suffix, then sent a snapshot: on five
   * nodes, "diverge" cuts the leader off with one follower, then the
   * follower alone until the others' new leader has committed and compacted
   * (a snapshot after every applied entry), then lets it rejoin; mostly
   * writes, at 100 operations/s.
   */
  "divergent-snapshot": {
    ...defaultScenario(5, new Set(["diverge"])),
    faultIntervalMs: { min: 100, max: 400 },
    workloadMs: 4_000,
    rate: 100,
    mix: { read: 1, write: 4, cas: 1 },
    config: { ...quickElections, rpcTimeoutMs: 100, snapshotEvery: 1, snapshotChunkChars: 64 }
  },
  /**
   * Membership changes through leader churn: every new leader is cut off
   * after a short reign (often before its first entry commits, while its
   * clients still reach it), and an operator asks for a change or a
   * hand-over every 20 to 150 ms. Where a change starts too early: before
   * the leader's own first entry commits, or while a change an earlier
   * leader left behind is still in flight.
   */
  "membership-churn": {
    ...defaultScenario(3, new Set(["leader-churn", "membership", "transfer"])),
    faultIntervalMs: { min: 20, max: 150 },
    workloadMs: 4_000,
    rate: 50,
    config: quickElections
  },
  /**
   * Leaders that outlive their lease, in lease mode: paused ("pause", the
   * leader half the time, up to three election timeouts) or cut off
   * ("partition", the leader isolated for two longest election timeouts
   * among Maelstrom's shapes), with clock drift at the lease's bound;
   * faults every 600..1400 ms, 100 operations/s of which half reads, 5 s.
   * Election timeouts far apart (300..1500 ms): the others elect a leader
   * and commit writes soon after their vote leases (the shortest) run out,
   * long before CheckQuorum (the longest) deposes the old one, which must
   * have stopped answering from its state by then. Clients give up soon
   * (100 ms) and ask the same node again, so reads sent after the new
   * leader's writes wait on the old one.
   */
  "stale-leader": {
    ...defaultScenario(3, new Set(["pause", "drift", "partition"])),
    faultIntervalMs: { min: 600, max: 1_400 },
    workloadMs: 5_000,
    rate: 100,
    mix: { read: 2, write: 1, cas: 1 },
    clientTimeoutMs: 100,
    config: { readMode: "lease", electionTimeoutMinMs: 300, electionTimeoutMaxMs: 1_500, snapshotEvery: 10, snapshotChunkChars: 64 }
  }
} satisfies Record<string, Scenario>

export type PressureScenarioName = keyof typeof pressureScenarios
