import type { NodeId } from "../../services/Network.js"
import type { Role } from "../../services/RaftObserver.js"
import type { PeerProgress } from "./PeerProgress.js"
import type { HandOver } from "./handOver.js"
import type { Recovery } from "./recovery.js"

/**
 * A node's volatile Raft state, one record behind one lock. The term and
 * vote are not here: they live in the Log's hard state, which is persisted.
 */
export interface RaftState {
  readonly role: Role
  readonly leaderId: NodeId | null
  readonly commitIndex: number
  /**
   * The last index of this node's log as far as it is durable, as the last
   * transition saw it (Log.durableLastIndex): the applier applies no further,
   * so nothing this node acts on can be lost to its own crash.
   */
  readonly durableIndex: number
  /** A follower or candidate that reaches this time without hearing from a leader starts an election. */
  readonly electionDeadlineMs: number
  /** When a leader of the current term was last heard from (for PreVote). */
  readonly lastLeaderContactMs: number
  /** Per follower, while leader; empty otherwise. */
  readonly progress: ReadonlyMap<NodeId, PeerProgress>
  /** The latest ReadIndex round a read opened, while leader. */
  readonly readRound: number
  /** While this node may lack entries it acknowledged and no leader has caught it up (recovery.ts); null otherwise. */
  readonly recovery: Recovery | null
  /** While leader: the leadership hand-over asked for (handOver.ts), or null. */
  readonly handingOver: HandOver | null
  /** A leader handed over to this node: its next campaign skips PreVote and asks for votes as a transfer. */
  readonly campaignAtOnce: boolean
}

export const initialRaftState = (
  electionDeadlineMs: number,
  durableIndex: number,
  recovery: Recovery | null = null
): RaftState => ({
  role: "follower",
  leaderId: null,
  commitIndex: 0,
  durableIndex,
  electionDeadlineMs,
  lastLeaderContactMs: Number.NEGATIVE_INFINITY,
  progress: new Map(),
  readRound: 0,
  recovery,
  handingOver: null,
  campaignAtOnce: false
})

/** The state with `peer`'s progress replaced. */
export const withProgress = (state: RaftState, peer: NodeId, progress: PeerProgress): RaftState => {
  const all = new Map(state.progress)
  all.set(peer, progress)
  return { ...state, progress: all }
}

export const updateProgress = (
  state: RaftState,
  peer: NodeId,
  update: (progress: PeerProgress) => PeerProgress
): RaftState => {
  const current = state.progress.get(peer)
  return current === undefined ? state : withProgress(state, peer, update(current))
}
