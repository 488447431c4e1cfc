import { Schema } from "effect"
import { Json } from "../foundation/json.js"

/**
 * One line of a lin-kv history, as the workbench writes it to history.jsonl
 * and the checker reads it. Every client operation appears twice: an
 * `invoke`, then its completion (`ok`, `fail` or `info`) from the same
 * process; an invoke with no completion counts as `info`.
 *
 * `value`: for a read, null on invoke and the value read on ok (null when the
 * key did not exist); for a write, the value written; for a cas, `[from, to]`.
 */
export const HistoryOp = Schema.Struct({
  index: Schema.Int,
  /** Nanoseconds since the start of the run. */
  time: Schema.Number,
  process: Schema.Int,
  type: Schema.Literal("invoke", "ok", "fail", "info"),
  f: Schema.Literal("read", "write", "cas"),
  key: Json,
  value: Json,
  /** The node the client sent the request to, and the error it got back, when known. */
  node: Schema.optional(Schema.String),
  error: Schema.optional(Schema.Struct({ code: Schema.Int, text: Schema.String }))
})
export type HistoryOp = typeof HistoryOp.Type
