import type { NodeId } from "../src/protocol/envelope.js"

/** A broken property of the run (safety, linearizability or liveness), found at `atMs` simulated milliseconds. */
export interface Violation {
  readonly atMs: number
  readonly invariant:
    | "one leader per term"
    | "log matching"
    | "committed entries stay"
    | "leader completeness"
    | "commit index never goes back"
    | "applied in order"
    | "applied sequences agree"
    /** A snapshot stands for entries that were not committed, or holds another state than theirs. */
    | "snapshots hold committed state"
    /** A committed configuration changed the voters without the joint configuration between (Raft thesis chapter 4). */
    | "changes pass through a joint configuration"
    /** A leader sent a configuration entry before the one before it committed, or before an entry of its term did. */
    | "one configuration change at a time"
    /** A node stopped itself on a broken rule. */
    | "node failure"
    | "linearizability"
    /** After the faults ended, the whole cluster did not recover in time (see sim/livenessPhase.ts). */
    | "liveness"
    /** The harness itself threw or overran: a bug in the simulator, not a verdict on the node. */
    | "simulation failed"
  readonly node?: NodeId
  readonly detail: string
}
