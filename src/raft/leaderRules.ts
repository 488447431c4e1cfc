import type { LogView } from "../../services/Log.js"

/**
 * The leader's commit index once `storedOnMajority` is the last index a
 * majority holds (see quorum.ts): it moves there only when that entry is
 * from the leader's current term; entries of earlier terms commit with it,
 * never by counting replicas. It never moves back.
 */
export const advanceCommitIndex = (
  log: LogView,
  currentTerm: number,
  commitIndex: number,
  storedOnMajority: number
): number => storedOnMajority > commitIndex && log.termAt(storedOnMajority) === currentTerm ? storedOnMajority : commitIndex

/**
 * The last index whose entry has `term`, if any (terms never decrease along a
 * log, so binary search), counting the snapshot's last index, whose term is known.
 */
export const lastIndexOfTerm = (log: LogView, term: number): number | undefined => {
  let low = Math.max(log.firstIndex() - 1, 1)
  let high = log.lastIndex()
  let found: number | undefined
  while (low <= high) {
    const mid = (low + high) >>> 1
    const midTerm = log.termAt(mid)!
    if (midTerm <= term) {
      if (midTerm === term) found = mid
      low = mid + 1
    } else {
      high = mid - 1
    }
  }
  return found
}

/**
 * Where to resume replication after a follower rejected AppendEntries: with a
 * conflict term the leader knows, just after its own last entry of that term;
 * otherwise at the follower's first conflicting index. Never at or below what
 * the follower is known to hold.
 */
export const nextIndexAfterRejection = (
  log: LogView,
  matchIndex: number,
  hint: { readonly conflictIndex: number; readonly conflictTerm?: number | undefined }
): number => {
  const fromTerm = hint.conflictTerm === undefined ? undefined : lastIndexOfTerm(log, hint.conflictTerm)
  const next = fromTerm === undefined ? hint.conflictIndex : fromTerm + 1
  return Math.max(matchIndex + 1, Math.min(next, log.lastIndex() + 1))
}

/**
 * Whether a follower's rejection proves it lost entries it had confirmed (a
 * disk that dropped an acknowledged tail): it no longer holds the request's
 * previous entry, at or below its match index, or its log now ends before
 * its match index. Only a request sent after the confirmation arrived can
 * prove it: an earlier one may simply have been answered before the entries
 * reached the follower, and its answer overtaken on the way back.
 */
export const rejectionProvesLoss = (
  progress: { readonly matchIndex: number; readonly sentBeforeMatch: number },
  requestNumber: number,
  prevLogIndex: number,
  hint: { readonly conflictIndex: number; readonly conflictTerm?: number | undefined }
): boolean =>
  requestNumber > progress.sentBeforeMatch &&
  progress.matchIndex > 0 &&
  (prevLogIndex <= progress.matchIndex || (hint.conflictTerm === undefined && hint.conflictIndex <= progress.matchIndex))
