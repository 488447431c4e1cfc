import { Effect, Either, Schema } from "effect"
import type { CounterHistoryOp } from "../../checker/counter/history.js"
import type { HistoryRecorder } from "../../linkv/historyRecorder.js"
import type { Body, NetworkShape, NodeId } from "../../services/Network.js"
import { CounterReply } from "../../src/counter/counterMessages.js"
import { leaderNamedIn } from "../../src/counter/leaderHint.js"
import { describeParseError } from "../../foundation/describeParseError.js"
import { ErrorCode, isDefinite } from "../../src/protocol/errorCodes.js"
import { describeBody, describeCommand } from "../describeMessage.js"
import type { SimCluster } from "../SimCluster.js"

/** One operation a counter client performs. */
export type CounterOp = { readonly f: "add"; readonly delta: number } | { readonly f: "read" }

/** A completion as the history records it: the delta of an add, the value an ok read returned. */
export interface CounterOutcome {
  readonly type: "ok" | "fail" | "info"
  readonly value: number | null
  readonly error?: { readonly code: number; readonly text: string }
}

const decodeReply = Schema.decodeUnknownEither(CounterReply)

/**
 * How an operation ended, judged as Maelstrom judges lin-kv's: an ok reply
 * of the op's kind is ok; a definite error is `fail`; anything else (an
 * indefinite error, no reply in time, a reply of no counter shape) leaves an
 * add `info` (it may have happened) and a read `fail` (it changed nothing).
 * No reply (null) is a timeout.
 */
export const classifyCounterReply = (op: CounterOp, reply: Body | null, timeoutMs: number): CounterOutcome => {
  const value = op.f === "add" ? op.delta : null
  const unknown = (code: number, text: string): CounterOutcome => ({ type: op.f === "add" ? "info" : "fail", value, error: { code, text } })
  if (reply === null) return unknown(0, `no reply within ${timeoutMs} ms`)
  const decoded = decodeReply(reply)
  if (Either.isLeft(decoded)) return unknown(13, `malformed reply: ${describeParseError(decoded.left)}`)
  const body = decoded.right
  if (body.type === "error") {
    const error = { code: body.code, text: body.text }
    return isDefinite(body.code) ? { type: "fail", value, error } : unknown(body.code, body.text)
  }
  if (body.type !== `${op.f}_ok`) return unknown(13, `a ${body.type} reply to a ${op.f}`)
  return { type: "ok", value: body.type === "read_ok" ? body.value : value }
}

/** One operation by `process` through `endpoint` to `node`, recorded as an invoke and its completion; the completion. */
export const performCounterOperation = (
  cluster: SimCluster,
  recorder: HistoryRecorder<CounterHistoryOp>,
  endpoint: NetworkShape,
  process: number,
  node: NodeId,
  op: CounterOp,
  timeoutMs: number
): Effect.Effect<CounterOutcome> =>
  Effect.gen(function*() {
    const body = op.f === "add" ? { type: "add", delta: op.delta } : { type: "read" }
    yield* recorder.record({ process, f: op.f, node, type: "invoke", value: op.f === "add" ? op.delta : null })
    cluster.note(`client ${process} -> ${node} ${describeCommand(body)}`)
    const reply = yield* endpoint.rpc(node, body, timeoutMs).pipe(Effect.catchTag("RpcTimeout", () => Effect.succeed(null)))
    cluster.note(`client ${process} <- ${reply === null ? "Timeout" : describeBody(reply)}`)
    const outcome = classifyCounterReply(op, reply, timeoutMs)
    yield* recorder.record({ process, f: op.f, node, ...outcome })
    return outcome
  })

/** The leader a node refused an operation in favour of (error 11 naming it), where a client takes its next request; or null. */
export const redirectOf = (outcome: CounterOutcome): NodeId | null =>
  outcome.error?.code === ErrorCode.temporarilyUnavailable ? leaderNamedIn(outcome.error.text) : null
