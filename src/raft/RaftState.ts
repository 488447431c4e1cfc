import type { Snapshot } from "../../services/Log.js"
import type { NodeId } from "../../services/Network.js"
import type { Role } from "../../services/RaftObserver.js"

/** The leader's view of one follower. */
export interface PeerProgress {
  /** The next entry to send. */
  readonly nextIndex: number
  /** The highest entry known to be stored on the follower. */
  readonly matchIndex: number
  /** AppendEntries sent and not yet answered (or timed out). */
  readonly inflight: number
  /**
   * Probing: the follower's log position is uncertain, so one request at a
   * time until one succeeds; otherwise requests are pipelined.
   */
  readonly probing: boolean
  readonly lastSentMs: number
  /** When the follower last answered in this term (for CheckQuorum). */
  readonly lastContactMs: number
  /** The latest read round sent to the follower, and the latest it answered (see ReadIndexReads). */
  readonly sentRound: number
  readonly ackedRound: number
  /** AppendEntries sent to the follower in this term; each request is numbered by it. */
  readonly sentCount: number
  /**
   * `sentCount` when the match index was last raised: requests numbered above
   * it left after the follower's confirmation arrived, so their answers
   * cannot have been overtaken by it (see rejectionProvesLoss).
   */
  readonly sentBeforeMatch: number
  /** `sentCount` when the follower was found to have lost confirmed entries: answers to requests up to it are stale. */
  readonly sentBeforeLoss: number
  /**
   * The snapshot being sent to the follower (its next entry was compacted
   * away), and how much of its text the follower holds; null otherwise.
   */
  readonly installing: { readonly snapshot: Snapshot; readonly received: number } | null
}

/**
 * A node's volatile Raft state, one record behind one lock. The term and
 * vote are not here: they live in the Log's hard state, which is persisted.
 */
export interface RaftState {
  readonly role: Role
  readonly leaderId: NodeId | null
  readonly commitIndex: number
  /** A follower or candidate that reaches this time without hearing from a leader starts an election. */
  readonly electionDeadlineMs: number
  /** When a leader of the current term was last heard from (for PreVote). */
  readonly lastLeaderContactMs: number
  /** Per follower, while leader; empty otherwise. */
  readonly progress: ReadonlyMap<NodeId, PeerProgress>
  /** The latest ReadIndex round a read opened, while leader. */
  readonly readRound: number
}

export const initialRaftState = (electionDeadlineMs: number): RaftState => ({
  role: "follower",
  leaderId: null,
  commitIndex: 0,
  electionDeadlineMs,
  lastLeaderContactMs: Number.NEGATIVE_INFINITY,
  progress: new Map(),
  readRound: 0
})

export const updateProgress = (
  state: RaftState,
  peer: NodeId,
  update: (progress: PeerProgress) => PeerProgress
): RaftState => {
  const current = state.progress.get(peer)
  if (current === undefined) return state
  const progress = new Map(state.progress)
  progress.set(peer, update(current))
  return { ...state, progress }
}
