import type { Entry, LogView } from "../../services/Log.js"
import type { AppendEntries } from "../protocol/raftMessages.js"

/** What a follower does with an AppendEntries from the leader of its current term. */
export type AppendDecision =
  /** The log has no entry matching prev_log_index/prev_log_term: reject with a hint. */
  | { readonly _tag: "Mismatch"; readonly conflictIndex: number; readonly conflictTerm?: number }
  /**
   * Accept: delete from `truncateFrom` (only when an entry conflicts), append
   * `append`, and confirm everything up to `matchIndex`.
   */
  | {
    readonly _tag: "Accept"
    readonly truncateFrom: number | null
    readonly append: ReadonlyArray<Entry>
    readonly matchIndex: number
  }
  /** The request would delete a committed entry: a safety violation, never to be obeyed. */
  | { readonly _tag: "CommittedConflict"; readonly index: number }

/**
 * The log-matching rules. Entries already present with the same term stay
 * (a delayed or reordered request must never erase newer entries); only the
 * first entry whose term differs, and everything after it, is replaced.
 * Entries this log's snapshot stands for were committed, so they match the
 * leader's: a request reaching back into them is taken from the snapshot on.
 */
export const reconcile = (log: LogView, commitIndex: number, request: AppendEntries): AppendDecision => {
  const snapshotIndex = log.firstIndex() - 1
  if (request.prev_log_index < snapshotIndex) {
    const covered = snapshotIndex - request.prev_log_index
    const matchIndex = request.prev_log_index + request.entries.length
    if (covered >= request.entries.length) return { _tag: "Accept", truncateFrom: null, append: [], matchIndex }
    return reconcile(log, commitIndex, {
      ...request,
      prev_log_index: snapshotIndex,
      prev_log_term: log.termAt(snapshotIndex)!,
      entries: request.entries.slice(covered)
    })
  }
  const prevIndex = request.prev_log_index
  const lastIndex = log.lastIndex()
  if (prevIndex > lastIndex) return { _tag: "Mismatch", conflictIndex: lastIndex + 1 }
  const prevTerm = log.termAt(prevIndex)
  if (prevTerm !== request.prev_log_term) {
    const conflictTerm = prevTerm ?? 0
    // Back up to the first entry of that term; committed entries match the leader, so stop above them.
    let first = prevIndex
    while (first - 1 > commitIndex && log.termAt(first - 1) === conflictTerm) first--
    return { _tag: "Mismatch", conflictIndex: Math.max(first, commitIndex + 1), conflictTerm }
  }
  const entries = request.entries
  let offset = 0
  while (offset < entries.length) {
    const index = prevIndex + 1 + offset
    const existing = log.termAt(index)
    if (existing === undefined) break
    if (existing !== entries[offset]!.term) {
      if (index <= commitIndex) return { _tag: "CommittedConflict", index }
      return {
        _tag: "Accept",
        truncateFrom: index,
        append: entries.slice(offset),
        matchIndex: prevIndex + entries.length
      }
    }
    offset++
  }
  return { _tag: "Accept", truncateFrom: null, append: entries.slice(offset), matchIndex: prevIndex + entries.length }
}

/**
 * A follower commits up to what the leader has committed, but never past the
 * last entry this very request confirmed: entries beyond it, up to the end
 * of its log, may still differ from the leader's.
 */
export const followerCommitIndex = (follower: {
  readonly commitIndex: number
  readonly leaderCommit: number
  /** The last index this request confirmed. */
  readonly matchIndex: number
  /** The end of the follower's log, which commit must not trust (the tutorial's bug does). */
  readonly lastIndex: number
}): number => Math.max(follower.commitIndex, Math.min(follower.leaderCommit, follower.matchIndex))
