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
