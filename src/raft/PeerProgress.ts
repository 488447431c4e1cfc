import type { Snapshot } from "../../services/Log.js"

/**
 * How the leader sends to one follower:
 * - Probe: the follower's log position is uncertain (a new leader, a
 *   rejection, a lost answer): one request at a time until one succeeds.
 * - Replicate: the follower's position is known: up to the in-flight window
 *   of requests, pipelined, each starting where the last one ended.
 * - Snapshot: the follower's next entry was compacted away: the leader's
 *   snapshot ending at `lastIndex` goes in chunks, one at a time; `received`
 *   is how many of its chunks the follower holds. Only its place is kept here: each
 *   chunk is read from the log's snapshot as it is sent, so no snapshot is
 *   held for a follower, and a newer one replaces it as soon as it exists.
 */
export type ReplicationMode =
  | { readonly _tag: "Probe" }
  | { readonly _tag: "Replicate" }
  | { readonly _tag: "Snapshot"; readonly lastIndex: number; readonly received: number }

const probe: ReplicationMode = { _tag: "Probe" }
const replicate: ReplicationMode = { _tag: "Replicate" }

/** The leader's view of one follower. */
export interface PeerProgress {
  readonly mode: ReplicationMode
  /** The next entry to send. */
  readonly nextIndex: number
  /** The highest entry known to be stored (durably) on the follower. */
  readonly matchIndex: number
  /** Requests sent and not yet answered (or timed out). */
  readonly inflight: number
  readonly lastSentMs: number
  /** When the follower last answered in this term (for CheckQuorum). */
  readonly lastContactMs: number
  /**
   * When the leader sent the latest request the follower has answered in
   * this term (for lease reads: its vote lease began after that).
   */
  readonly ackedSentMs: number
  /** The latest read round sent to the follower, and the latest it answered (see ReadIndexReads). */
  readonly sentRound: number
  readonly ackedRound: number
  /** Requests sent to the follower in this term; each request is numbered by it. */
  readonly sentCount: number
  /**
   * `sentCount` when the match index was last raised: requests numbered above
   * it left after the follower's confirmation arrived, so their answers
   * cannot have been overtaken by it (see leaderRules.rejectionProvesLoss).
   */
  readonly sentBeforeMatch: number
  /** `sentCount` when the follower was found to have lost confirmed entries: answers to requests up to it are stale. */
  readonly sentBeforeLoss: number
}

/** A follower as a new leader first sees it, at `nowMs`: probed from just after the leader's last entry. */
export const newPeerProgress = (nextIndex: number, nowMs: number): PeerProgress => ({
  mode: probe,
  nextIndex,
  matchIndex: 0,
  inflight: 0,
  lastSentMs: Number.NEGATIVE_INFINITY,
  lastContactMs: nowMs,
  ackedSentMs: Number.NEGATIVE_INFINITY,
  sentRound: 0,
  ackedRound: 0,
  sentCount: 0,
  sentBeforeMatch: 0,
  sentBeforeLoss: 0
})

/** How many requests may be in flight to the follower. */
export const window = (progress: PeerProgress, maxInflight: number): number => progress.mode._tag === "Replicate" ? maxInflight : 1

/**
 * A request left for the follower at `nowMs`, vouching for read round
 * `round`; `entries` is how many entries it carries (none for a chunk).
 */
export const sent = (progress: PeerProgress, nowMs: number, round: number, entries: number): PeerProgress => ({
  ...progress,
  inflight: progress.inflight + 1,
  sentCount: progress.sentCount + 1,
  lastSentMs: nowMs,
  sentRound: round,
  nextIndex: progress.mode._tag === "Replicate" ? progress.nextIndex + entries : progress.nextIndex
})

/**
 * The follower's next entry was compacted away: the leader's newest snapshot
 * goes instead, from its start; one under way goes on while it is still the
 * newest, and gives way to a newer one (the entries between the two are gone
 * from the leader's log: the older one would only be followed by the newer).
 */
export const sendSnapshot = (progress: PeerProgress, newest: Pick<Snapshot, "lastIndex">): PeerProgress =>
  progress.mode._tag === "Snapshot" && progress.mode.lastIndex === newest.lastIndex
    ? progress
    : { ...progress, mode: { _tag: "Snapshot", lastIndex: newest.lastIndex, received: 0 } }

/** An answer, or its absence, took a request out of flight. */
export const released = (progress: PeerProgress): PeerProgress => ({ ...progress, inflight: Math.max(0, progress.inflight - 1) })

/**
 * The follower answered, at `nowMs`, a request of read round `round` sent at
 * `sentMs`: it acknowledges this leader.
 */
export const heardFrom = (progress: PeerProgress, nowMs: number, round: number, sentMs: number): PeerProgress => ({
  ...progress,
  lastContactMs: nowMs,
  ackedSentMs: Math.max(progress.ackedSentMs, sentMs),
  ackedRound: Math.max(progress.ackedRound, round)
})

/** The follower holds every entry up to `index`. */
const confirmed = (progress: PeerProgress, index: number): PeerProgress => {
  const matchIndex = Math.max(progress.matchIndex, index)
  const sentBeforeMatch = matchIndex > progress.matchIndex ? progress.sentCount : progress.sentBeforeMatch
  return { ...progress, matchIndex, sentBeforeMatch, nextIndex: Math.max(progress.nextIndex, matchIndex + 1) }
}

/** AppendEntries succeeded up to `matchIndex`: its position is known, so requests are pipelined from here. */
export const accepted = (progress: PeerProgress, matchIndex: number): PeerProgress => ({
  ...confirmed(progress, matchIndex),
  mode: replicate
})

/** AppendEntries was rejected: probe again from `nextIndex`. */
export const rejected = (progress: PeerProgress, nextIndex: number): PeerProgress => ({ ...progress, nextIndex, mode: probe })

/** An AppendEntries went unanswered: resume from what the follower surely holds, one request at a time. */
export const appendLost = (progress: PeerProgress): PeerProgress => ({ ...progress, nextIndex: progress.matchIndex + 1, mode: probe })

/** The follower lost entries it had confirmed: count nothing from it until it confirms again; probe from `nextIndex`. */
export const lostConfirmed = (progress: PeerProgress, nextIndex: number): PeerProgress => ({
  ...progress,
  matchIndex: 0,
  sentBeforeLoss: progress.sentCount,
  nextIndex,
  mode: probe
})

/**
 * The follower answered a chunk of the snapshot ending at `lastIndex`: it
 * holds `received` chunks of it, or, `installed`, the snapshot's entries;
 * then the leader probes with the entries after it. An answer about another
 * snapshot than the one being sent changes nothing.
 */
export const snapshotAnswered = (progress: PeerProgress, lastIndex: number, received: number, installed: boolean): PeerProgress => {
  const { mode } = progress
  if (mode._tag !== "Snapshot" || mode.lastIndex !== lastIndex) return progress
  if (!installed) return { ...progress, mode: { ...mode, received } }
  return { ...confirmed(progress, lastIndex), mode: probe }
}
