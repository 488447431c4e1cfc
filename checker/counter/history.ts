import { Schema } from "effect"

/**
 * One line of a counter history: every client operation appears as an
 * `invoke`, then its completion (`ok`, `fail` or `info`) from the same
 * process; an invoke with no completion counts as `info`.
 *
 * `value`: for an add, its delta; for a read, null on invoke and the value
 * read on ok.
 */
export const CounterHistoryOp = Schema.Struct({
  index: Schema.Int,
  /** Nanoseconds since the start of the run. */
  time: Schema.Number,
  process: Schema.Int,
  type: Schema.Literal("invoke", "ok", "fail", "info"),
  f: Schema.Literal("add", "read"),
  value: Schema.NullOr(Schema.Int),
  /** The node the client sent the request to, and the error it got back, when known. */
  node: Schema.optional(Schema.String),
  error: Schema.optional(Schema.Struct({ code: Schema.Int, text: Schema.String }))
})
export type CounterHistoryOp = typeof CounterHistoryOp.Type
