import type { Effect } from "effect"
import type { OperationMix } from "../linkv/generator.js"
import type { RecordedOp } from "../linkv/historyRecorder.js"
import type { Log } from "../services/Log.js"
import type { Network, NodeId } from "../services/Network.js"
import type { RaftConfig } from "../services/RaftConfig.js"
import type { RaftObserver } from "../services/RaftObserver.js"
import type { RaftRules } from "../src/raft/RaftRules.js"
import type { SimCluster } from "./SimCluster.js"
import type { Violation } from "./Violation.js"

/**
 * An application's state as the invariant monitor folds committed commands
 * into it: a pure value, the application's semantics without its state
 * machine's effects.
 */
export interface ReplicaState {
  /** The state after one more committed command (a log entry's, as the application proposed it). */
  readonly apply: (command: unknown) => ReplicaState
  /** The state as the application's state machine snapshots it: the list of its snapshot items, in order. */
  readonly snapshot: () => unknown
}

/** The services the simulator gives every node; the application provides its own (its state machine) itself. */
export type SimNodeServices = Network | Log | RaftConfig | RaftObserver | RaftRules

export interface WorkloadOptions {
  /** Client threads; each has one request in flight at most. */
  readonly clients: number
  /** Operations per second, all clients together. */
  readonly rate: number
  /** How often reads and each kind of update are drawn (an application with fewer kinds of update sums their weights). */
  readonly mix: OperationMix
  /** A request unanswered this long is `info` (or `fail` for a read), and its client is replaced. */
  readonly timeoutMs: number
  /** No operation starts at or after this simulated time. */
  readonly untilMs: number
}

/** How one attempt of a liveness probe ended, as the history records it. */
export interface ProbeOutcome {
  readonly type: "ok" | "fail" | "info"
  readonly error?: { readonly code: number; readonly text: string }
}

/** One operation the liveness phase requires to succeed through every node, tried until it does. */
export interface LivenessProbe {
  /** What it is, in words: `a read of key 7`. */
  readonly description: string
  /** One attempt through `node` as the fresh client process `process`, recorded in the history like any operation. */
  readonly attempt: (node: NodeId, process: number, timeoutMs: number) => Effect.Effect<ProbeOutcome>
}

/** The history a run recorded, and its verdict. */
export interface RecordedHistory {
  readonly operations: ReadonlyArray<RecordedOp>
  /** The first linearizability violation, or null: the checker runs when asked (it is the slow part). */
  readonly linearizability: () => Violation | null
}

/** One run's clients against a cluster, and the history they record from the start of the run. */
export interface SimWorkload {
  readonly runClients: (options: WorkloadOptions) => Effect.Effect<void>
  /** Once the clients stopped: the probes through the node at `position` in the cluster, in order. */
  readonly livenessProbes: Effect.Effect<(node: NodeId, position: number) => ReadonlyArray<LivenessProbe>>
  readonly recorded: Effect.Effect<RecordedHistory>
}

/**
 * An application on the Raft engine, as the simulator runs and judges it:
 * what every node runs, its semantics for the invariant monitor, and its
 * workload (clients, liveness probes, linearizability check).
 */
export interface SimApplication {
  /** One node: the Raft engine with the application on it, its state machine provided. */
  readonly runNode: Effect.Effect<void, unknown, SimNodeServices>
  /** The state before any command. */
  readonly initialState: ReplicaState
  readonly workload: (cluster: SimCluster) => Effect.Effect<SimWorkload>
}
