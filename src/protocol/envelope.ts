import { Schema } from "effect"

/** A node or client id: `n1`, `n2`, ... for servers, `c1`, `c2`, ... for clients. */
export const NodeId = Schema.String
export type NodeId = typeof NodeId.Type

/**
 * A message body as it travels: a `type`, optional `msg_id` / `in_reply_to`,
 * and the type's own fields (decoded further by the schema of its type).
 */
export const Body = Schema.Struct(
  {
    type: Schema.String,
    msg_id: Schema.optional(Schema.Int),
    in_reply_to: Schema.optional(Schema.Int)
  },
  Schema.Record({ key: Schema.String, value: Schema.Unknown })
)
export type Body = typeof Body.Type

/** One Maelstrom message: `{"src": ..., "dest": ..., "body": {...}}`. */
export const Envelope = Schema.Struct({ src: NodeId, dest: NodeId, body: Body })
export type Envelope = typeof Envelope.Type

/** A line of JSON text holding one envelope. */
export const EnvelopeFromJson = Schema.parseJson(Envelope)
