import { Schema } from "effect"
import type { Configuration as LogConfiguration, Entry as LogEntry } from "../../services/Log.js"
import { OpaqueJson } from "../../foundation/json.js"

/** Raft's messages between server nodes. */

const NodeIds = Schema.Array(Schema.String)

/** A cluster configuration (services/Log.ts): `outgoing` only while the voters change. */
export const Configuration = Schema.Struct({
  voters: NodeIds,
  learners: NodeIds,
  outgoing: Schema.optional(NodeIds)
}) satisfies Schema.Schema<LogConfiguration, any>

/**
 * One log entry on the wire: its term, and the application's command (any
 * JSON value, which Raft never opens) or a configuration; a no-op has neither.
 */
export const Entry = Schema.Struct({
  term: Schema.Int,
  command: Schema.optional(OpaqueJson),
  config: Schema.optional(Configuration)
}) satisfies Schema.Schema<LogEntry, any>
export type Entry = LogEntry

const Index = Schema.Int.pipe(Schema.nonNegative())

/** RequestVote, and its PreVote form (`pre_vote`: a poll that changes no state). */
export const RequestVote = Schema.Struct({
  type: Schema.Literal("request_vote"),
  msg_id: Schema.optional(Schema.Int),
  term: Schema.Int,
  candidate_id: Schema.String,
  last_log_index: Index,
  last_log_term: Schema.Int,
  pre_vote: Schema.Boolean,
  /** Asked because the leader handed leadership to this candidate (TimeoutNow): voters grant it inside the vote lease. */
  transfer: Schema.optional(Schema.Boolean)
})
export type RequestVote = typeof RequestVote.Type

/**
 * TimeoutNow (Raft thesis 3.10): the leader of `term`, handing leadership
 * over, tells the follower it brought level to campaign at once.
 */
export const TimeoutNow = Schema.Struct({
  type: Schema.Literal("timeout_now"),
  msg_id: Schema.optional(Schema.Int),
  term: Schema.Int,
  leader_id: Schema.String
})
export type TimeoutNow = typeof TimeoutNow.Type

export const RequestVoteResult = Schema.Struct({
  type: Schema.Literal("request_vote_result"),
  term: Schema.Int,
  vote_granted: Schema.Boolean
})
export type RequestVoteResult = typeof RequestVoteResult.Type

export const AppendEntries = Schema.Struct({
  type: Schema.Literal("append_entries"),
  msg_id: Schema.optional(Schema.Int),
  term: Schema.Int,
  leader_id: Schema.String,
  prev_log_index: Index,
  prev_log_term: Schema.Int,
  entries: Schema.Array(Entry),
  leader_commit: Index
})
export type AppendEntries = typeof AppendEntries.Type

/**
 * The follower's answer. On success `match_index` is the last index this
 * request confirmed. On a log mismatch, `conflict_index` (and `conflict_term`
 * when the follower has an entry at prev_log_index) let the leader jump back
 * a whole term at a time instead of one entry per round trip.
 */
export const AppendEntriesResult = Schema.Struct({
  type: Schema.Literal("append_entries_result"),
  term: Schema.Int,
  success: Schema.Boolean,
  match_index: Index,
  conflict_index: Schema.optional(Index),
  conflict_term: Schema.optional(Schema.Int)
})
export type AppendEntriesResult = typeof AppendEntriesResult.Type

/**
 * One chunk of the leader's snapshot, for a follower whose next entry the
 * leader has compacted away: `data` is chunk number `offset` (from 0), the
 * JSON text of an array of the state machine's snapshot items; `done` marks
 * the last chunk; `config`, the configuration in force at `last_index`
 * (absent: the cluster's first).
 */
export const InstallSnapshot = Schema.Struct({
  type: Schema.Literal("install_snapshot"),
  msg_id: Schema.optional(Schema.Int),
  term: Schema.Int,
  leader_id: Schema.String,
  last_index: Index,
  last_term: Schema.Int,
  config: Schema.optional(Configuration),
  offset: Index,
  data: Schema.String,
  done: Schema.Boolean
})
export type InstallSnapshot = typeof InstallSnapshot.Type

/**
 * The follower's answer: `received` is how many of the snapshot's chunks it
 * holds (the number of the next); `installed`, that it now holds the
 * snapshot's entries (installed, or already committed there).
 */
export const InstallSnapshotResult = Schema.Struct({
  type: Schema.Literal("install_snapshot_result"),
  term: Schema.Int,
  received: Index,
  installed: Schema.Boolean
})
export type InstallSnapshotResult = typeof InstallSnapshotResult.Type

/**
 * Asked at start by a node that may have lost entries it acknowledged (its
 * storage empty, or known damaged), of every other member: where does your
 * log end, and which term have you reached? See recovery.ts.
 */
export const LogTipQuery = Schema.Struct({
  type: Schema.Literal("log_tip"),
  msg_id: Schema.optional(Schema.Int)
})
export type LogTipQuery = typeof LogTipQuery.Type

export const LogTipResult = Schema.Struct({
  type: Schema.Literal("log_tip_result"),
  last_index: Index,
  last_term: Schema.Int,
  term: Schema.Int
})
export type LogTipResult = typeof LogTipResult.Type
