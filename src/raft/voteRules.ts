import type { HardState } from "../../services/Log.js"
import type { RequestVote } from "../protocol/raftMessages.js"

/** The last entry of a log, which is all that "up to date" looks at. */
export interface LogTip {
  readonly lastIndex: number
  readonly lastTerm: number
}

/**
 * A candidate's log is at least as up to date as ours when its last term is
 * higher, or equal with a last index at least ours.
 */
export const isUpToDate = (candidate: LogTip, ours: LogTip): boolean =>
  candidate.lastTerm > ours.lastTerm ||
  (candidate.lastTerm === ours.lastTerm && candidate.lastIndex >= ours.lastIndex)

const candidateTip = (request: RequestVote): LogTip => ({
  lastIndex: request.last_log_index,
  lastTerm: request.last_log_term
})

/**
 * A node that is not caught up (its log lost, damaged, or empty at start in
 * a cluster that may have begun: see HardState.caughtUp and blankStart.ts)
 * may have acknowledged entries it no longer holds. Its log says nothing
 * about what it promised, so it backs no candidate at all: even one with an
 * empty log could lack entries a majority, this node included, once held.
 */
const mayBack = (hard: HardState): boolean => hard.caughtUp

/**
 * PreVote: would we vote for this candidate in the term it proposes? Changes
 * nothing. A node that heard from a live leader recently says no, so a node
 * returning from a partition cannot depose a healthy leader.
 */
export const decidePreVote = (
  hard: HardState,
  ours: LogTip,
  request: RequestVote,
  heardFromLeaderRecently: boolean
): boolean =>
  request.term > hard.term && !heardFromLeaderRecently && mayBack(hard) &&
  isUpToDate(candidateTip(request), ours)

export interface VoteDecision {
  readonly granted: boolean
  /** The hard state to persist before replying (same object when nothing changed). */
  readonly hardState: HardState
}

/**
 * RequestVote. A node that heard from a live leader within the minimum
 * election timeout ignores a higher term altogether (Raft thesis 4.2.3): a
 * candidate that won PreVote across an asymmetric cut must not depose a
 * leader that a majority still hears; unless the candidate campaigns because
 * that leader handed over to it (`transfer`, thesis 3.10). Otherwise a higher term is adopted
 * first (forgetting the old vote); then the vote is granted when we have not
 * voted in this term, or voted for this same candidate (a repeated request
 * must get the same answer), and the candidate's log is at least as up to
 * date as ours.
 */
export const decideVote = (
  hard: HardState,
  ours: LogTip,
  request: RequestVote,
  heardFromLeaderRecently: boolean
): VoteDecision => {
  if (request.term > hard.term && heardFromLeaderRecently && request.transfer !== true) return { granted: false, hardState: hard }
  const current: HardState = request.term > hard.term ? { ...hard, term: request.term, votedFor: null } : hard
  const granted = request.term === current.term &&
    (current.votedFor === null || current.votedFor === request.candidate_id) &&
    mayBack(current) &&
    isUpToDate(candidateTip(request), ours)
  const hardState = granted && current.votedFor !== request.candidate_id
    ? { ...current, votedFor: request.candidate_id }
    : current
  return { granted, hardState }
}

/**
 * Whether this node may campaign. One that is not caught up stays quiet
 * until a leader reaches it: its log could win votes from nodes further
 * behind, and lose entries a majority once held.
 */
export const mayCampaign = (hard: HardState): boolean => hard.caughtUp
