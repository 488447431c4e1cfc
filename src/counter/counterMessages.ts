import { Schema } from "effect"
import { ErrorReply } from "../protocol/kvMessages.js"

/** The counter's requests, and the replies a node sends back. Values and deltas are safe integers. */

export const AddRequest = Schema.Struct({
  type: Schema.Literal("add"),
  msg_id: Schema.optional(Schema.Int),
  delta: Schema.Int
})
export type AddRequest = typeof AddRequest.Type

export const CounterReadRequest = Schema.Struct({
  type: Schema.Literal("read"),
  msg_id: Schema.optional(Schema.Int)
})
export type CounterReadRequest = typeof CounterReadRequest.Type

/** What the log carries: an add, without the client's msg_id. */
export type CounterCommand = Omit<AddRequest, "msg_id">

export const AddOk = Schema.Struct({ type: Schema.Literal("add_ok") })
export const CounterReadOk = Schema.Struct({ type: Schema.Literal("read_ok"), value: Schema.Int })
export type CounterReadOk = typeof CounterReadOk.Type

/** The outcome of an add or a read, as sent to the client (minus `in_reply_to`); errors are Maelstrom's. */
export const CounterReply = Schema.Union(AddOk, CounterReadOk, ErrorReply)
export type CounterReply = typeof CounterReply.Type
