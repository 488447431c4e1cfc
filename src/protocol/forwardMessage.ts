import { Schema } from "effect"
import { KvRequest } from "./kvMessages.js"

/**
 * A client request passed on to the leader of `term`; the reply is the
 * client's reply body. Only the leader of that term runs it, at most once per
 * (`session`, `serial`): see src/kv/Forwarding.ts.
 */
export const Forward = Schema.Struct({
  type: Schema.Literal("forward"),
  msg_id: Schema.optional(Schema.Int),
  term: Schema.Int,
  session: Schema.String,
  serial: Schema.Int,
  request: KvRequest
})
export type Forward = typeof Forward.Type
