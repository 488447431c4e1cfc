import { Context } from "effect"

/**
 * How a leader confirms that it still leads before it answers a read:
 * "index", ReadIndex (one heartbeat round a majority answers, per batch of
 * reads); "lease", from its state without a round while a majority
 * acknowledged it within the lease (src/raft/leaseRules.ts), which assumes
 * the nodes' clocks run at rates within a bound of each other.
 */
export type ReadMode = "index" | "lease"

export const readModes: ReadonlyArray<ReadMode> = ["index", "lease"]

/** Raft's timing and batching parameters, in milliseconds and entry counts, and how reads are confirmed. */
export interface RaftConfigShape {
  /** A leader sends an empty AppendEntries to an idle follower this often. */
  readonly heartbeatMs: number
  /** A follower that hears no leader for a random time in [min, max] starts an election. */
  readonly electionTimeoutMinMs: number
  readonly electionTimeoutMaxMs: number
  /** How long a node waits for the reply to a Raft RPC. */
  readonly rpcTimeoutMs: number
  /** How long a client request may wait for commit (or a forwarded reply) before it is answered with a timeout. */
  readonly requestTimeoutMs: number
  /** The most entries one AppendEntries carries. */
  readonly maxEntriesPerMessage: number
  /** The most AppendEntries in flight to one follower. */
  readonly maxInflightPerPeer: number
  /** A node snapshots its state machine and compacts its log once this many entries were applied since its last snapshot, */
  readonly snapshotEvery: number
  /** or once the entries applied since then take this many bytes in the log (large values reach it first). */
  readonly snapshotBytes: number
  /** A snapshot is cut into chunks of at most this many characters of JSON: one log record and one InstallSnapshot each. */
  readonly snapshotChunkChars: number
  readonly readMode: ReadMode
}

export class RaftConfig extends Context.Tag("effect-raft-kv/RaftConfig")<RaftConfig, RaftConfigShape>() {}

export const defaultRaftConfig: RaftConfigShape = {
  heartbeatMs: 50,
  electionTimeoutMinMs: 400,
  electionTimeoutMaxMs: 800,
  rpcTimeoutMs: 500,
  requestTimeoutMs: 2000,
  maxEntriesPerMessage: 64,
  maxInflightPerPeer: 4,
  snapshotEvery: 10_000,
  snapshotBytes: 8 * 1024 * 1024,
  snapshotChunkChars: 64 * 1024,
  readMode: "index"
}
