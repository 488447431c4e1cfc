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
 * PreVote: would we vote for this candidate in the term it proposes? Changes
 * nothing. A node that heard from a live leader recently says no, so a node
 * returning from a partition cannot depose a healthy leader.
 */
export const decidePreVote = (
  hard: HardState,
  ours: LogTip,
  request: RequestVote,
  heardFromLeaderRecently: boolean
): boolean => request.term > hard.term && !heardFromLeaderRecently && isUpToDate(candidateTip(request), ours)

export interface VoteDecision {
  readonly granted: boolean
  /** The hard state to persist before replying (same object when nothing changed). */
  readonly hardState: HardState
}

/**
 * RequestVote: a higher term is adopted first (forgetting the old vote); then
 * the vote is granted when we have not voted in this term, or voted for this
 * same candidate (a repeated request must get the same answer), and the
 * candidate's log is at least as up to date as ours.
 */
export const decideVote = (hard: HardState, ours: LogTip, request: RequestVote): VoteDecision => {
  const current: HardState = request.term > hard.term ? { term: request.term, votedFor: null } : hard
  const granted = request.term === current.term &&
    (current.votedFor === null || current.votedFor === request.candidate_id) &&
    isUpToDate(candidateTip(request), ours)
  const hardState = granted && current.votedFor !== request.candidate_id
    ? { term: current.term, votedFor: request.candidate_id }
    : current
  return { granted, hardState }
}
