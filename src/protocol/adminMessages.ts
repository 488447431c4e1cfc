import { Schema } from "effect"

/**
 * Operators' requests, beside the lin-kv workload's: accepted by any node
 * from any client, and passed on to the leader.
 */

/** Hand leadership over to `to` (or to the most up to date other member). */
export const TransferLeadership = Schema.Struct({
  type: Schema.Literal("transfer_leadership"),
  msg_id: Schema.optional(Schema.Int),
  to: Schema.optional(Schema.String)
})
export type TransferLeadership = typeof TransferLeadership.Type

/** The hand-over happened: `leader` leads now. */
export const TransferLeadershipOk = Schema.Struct({
  type: Schema.Literal("transfer_leadership_ok"),
  leader: Schema.String
})
export type TransferLeadershipOk = typeof TransferLeadershipOk.Type

/** Make `node` a voter: it joins as a learner and is promoted once its log has caught up. */
export const AddMember = Schema.Struct({
  type: Schema.Literal("add_member"),
  msg_id: Schema.optional(Schema.Int),
  node: Schema.String
})
export type AddMember = typeof AddMember.Type

/** Take `node` out of the cluster (a voter or a learner). */
export const RemoveMember = Schema.Struct({
  type: Schema.Literal("remove_member"),
  msg_id: Schema.optional(Schema.Int),
  node: Schema.String
})
export type RemoveMember = typeof RemoveMember.Type

/** Any change at once: these voters and these learners (none when absent), through the joint configuration. */
export const Reconfigure = Schema.Struct({
  type: Schema.Literal("reconfigure"),
  msg_id: Schema.optional(Schema.Int),
  voters: Schema.Array(Schema.String),
  learners: Schema.optional(Schema.Array(Schema.String))
})
export type Reconfigure = typeof Reconfigure.Type

/** Who is in the cluster, as the node asked sees it. */
export const Members = Schema.Struct({
  type: Schema.Literal("members"),
  msg_id: Schema.optional(Schema.Int)
})
export type Members = typeof Members.Type

/** The answer to `members`: the latest configuration the node knows, the leader it knows (or null), its term. */
export const MembersOk = Schema.Struct({
  type: Schema.Literal("members_ok"),
  voters: Schema.Array(Schema.String),
  learners: Schema.Array(Schema.String),
  /** Only while the voters change: the voters being left. */
  outgoing: Schema.optional(Schema.Array(Schema.String)),
  leader: Schema.NullOr(Schema.String),
  term: Schema.Int
})
export type MembersOk = typeof MembersOk.Type

/** How this node is doing: its role, term, leader, and how far its log and state machine have come. */
export const Status = Schema.Struct({
  type: Schema.Literal("status"),
  msg_id: Schema.optional(Schema.Int)
})
export type Status = typeof Status.Type

/** The answer to `status`, from the node asked. */
export const StatusOk = Schema.Struct({
  type: Schema.Literal("status_ok"),
  node: Schema.String,
  role: Schema.String,
  term: Schema.Int,
  leader: Schema.NullOr(Schema.String),
  commit_index: Schema.Int,
  applied_index: Schema.Int,
  /** Entries held in the log (after the snapshot). */
  log_entries: Schema.Int,
  last_log_index: Schema.Int,
  /** The last entry the snapshot stands for (0: none). */
  snapshot_index: Schema.Int
})
export type StatusOk = typeof StatusOk.Type

/** A membership change done: the configuration it ended with (committed). */
export const MembershipChangeOk = Schema.Struct({
  type: Schema.Literal("add_member_ok", "remove_member_ok", "reconfigure_ok"),
  voters: Schema.Array(Schema.String),
  learners: Schema.Array(Schema.String)
})
export type MembershipChangeOk = typeof MembershipChangeOk.Type

/** Every operator's request. */
export const adminRequestSchemas = [TransferLeadership, AddMember, RemoveMember, Reconfigure, Members, Status] as const
export type AdminRequest = Schema.Schema.Type<(typeof adminRequestSchemas)[number]>
