import { Schema } from "effect"
import type { ErrorCode } from "./errorCodes.js"
import { Json } from "../../foundation/json.js"

/** Client requests of the lin-kv workload, and the replies a node sends back. */

/** Maelstrom's init: the cluster (`node_ids`, each once) and this node's place in it. */
export const InitRequest = Schema.Struct({
  type: Schema.Literal("init"),
  msg_id: Schema.optional(Schema.Int),
  node_id: Schema.String,
  node_ids: Schema.Array(Schema.String)
}).pipe(Schema.filter(({ node_id, node_ids }) => {
  const repeated = node_ids.find((id, i) => node_ids.indexOf(id) !== i)
  if (repeated !== undefined) return `node_ids ${JSON.stringify(node_ids)} names ${JSON.stringify(repeated)} twice`
  if (!node_ids.includes(node_id)) {
    return `node_ids ${JSON.stringify(node_ids)} does not contain node_id ${JSON.stringify(node_id)}`
  }
  return undefined
}))
export type InitRequest = typeof InitRequest.Type

export const ReadRequest = Schema.Struct({
  type: Schema.Literal("read"),
  msg_id: Schema.optional(Schema.Int),
  key: Json
})
export type ReadRequest = typeof ReadRequest.Type
export const WriteRequest = Schema.Struct({
  type: Schema.Literal("write"),
  msg_id: Schema.optional(Schema.Int),
  key: Json,
  value: Json
})
export const CasRequest = Schema.Struct({
  type: Schema.Literal("cas"),
  msg_id: Schema.optional(Schema.Int),
  key: Json,
  from: Json,
  to: Json
})

/** A lin-kv operation: what a client asks and what the log replicates. */
export const KvRequest = Schema.Union(ReadRequest, WriteRequest, CasRequest)
export type KvRequest = typeof KvRequest.Type

export const ReadOk = Schema.Struct({ type: Schema.Literal("read_ok"), value: Json })
export const WriteOk = Schema.Struct({ type: Schema.Literal("write_ok") })
export const CasOk = Schema.Struct({ type: Schema.Literal("cas_ok") })
export const ErrorReply = Schema.Struct({
  type: Schema.Literal("error"),
  code: Schema.Int,
  text: Schema.String
})
export type ErrorReply = typeof ErrorReply.Type

/** The outcome of a lin-kv operation, as sent to the client (minus `in_reply_to`). */
export const KvReply = Schema.Union(ReadOk, WriteOk, CasOk, ErrorReply)
export type KvReply = typeof KvReply.Type

export const errorReply = (code: ErrorCode, text: string): ErrorReply => ({ type: "error", code, text })
