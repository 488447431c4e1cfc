import { Either, Schema } from "effect"
import { describeParseError } from "../foundation/describeParseError.js"
import { isDefinite } from "../src/protocol/errorCodes.js"
import type { Json } from "../foundation/json.js"
import { CasOk, ReadOk, WriteOk } from "../src/protocol/kvMessages.js"
import { invokeValue, type Operation } from "./operation.js"

/** An error reply as Maelstrom accepts it from a node: `text` is optional. */
export const ErrorFromNode = Schema.Struct({
  type: Schema.Literal("error"),
  code: Schema.Int,
  text: Schema.optional(Schema.String)
})

/** A lin-kv reply as a client accepts it. */
export const ReplyFromNode = Schema.Union(ReadOk, WriteOk, CasOk, ErrorFromNode)
export type ReplyFromNode = typeof ReplyFromNode.Type

/** The shape `ReplyFromNode` accepts, in words for people whose node sent something else. */
export const expectedReplyShape =
  `{"type": "read_ok", "value": V} | {"type": "write_ok"} | {"type": "cas_ok"} | {"type": "error", "code": INT, "text"?: STRING}, with "in_reply_to"`

/** What came back for a request: a decoded reply, a reply we could not decode, or nothing in time. */
export type Response =
  | { readonly _tag: "Reply"; readonly reply: ReplyFromNode }
  | { readonly _tag: "Malformed"; readonly problem: string }
  | { readonly _tag: "Timeout"; readonly afterMs: number }

/** The completion line of an operation, as the history records it. */
export interface Outcome {
  readonly type: "ok" | "fail" | "info"
  readonly value: Json
  readonly error?: { readonly code: number; readonly text: string }
}

const decodeReply = Schema.decodeUnknownEither(ReplyFromNode)

/** A reply body as it arrived, decoded (or not) as a lin-kv reply. */
export const responseOf = (body: unknown): Response => {
  const decoded = decodeReply(body)
  return Either.isRight(decoded)
    ? { _tag: "Reply", reply: decoded.right }
    : { _tag: "Malformed", problem: describeParseError(decoded.left) }
}

const expectedOk = { read: "read_ok", write: "write_ok", cas: "cas_ok" } as const

/** Indefinite: the write may or may not have happened, so it is `info`; a read changes nothing, so it is `fail`. */
const unknownOutcome = (op: Operation, error: { code: number; text: string }): Outcome => ({
  type: op.f === "read" ? "fail" : "info",
  value: invokeValue(op),
  error
})

/**
 * Maelstrom's judgement of one reply. A read of a missing key (error 20) is an
 * ok read of null, which the checker takes as "the key is absent".
 */
export const classifyResponse = (op: Operation, response: Response): Outcome => {
  switch (response._tag) {
    case "Timeout":
      return unknownOutcome(op, { code: 0, text: `no reply within ${response.afterMs} ms` })
    case "Malformed":
      return unknownOutcome(op, { code: 13, text: `malformed reply: ${response.problem}` })
    case "Reply": {
      const reply = response.reply
      if (reply.type === "error") {
        const error = { code: reply.code, text: reply.text ?? "" }
        if (op.f === "read" && reply.code === 20) return { type: "ok", value: null, error }
        return isDefinite(reply.code) ? { type: "fail", value: invokeValue(op), error } : unknownOutcome(op, error)
      }
      if (reply.type !== expectedOk[op.f]) {
        return unknownOutcome(op, { code: 13, text: `a ${reply.type} reply to a ${op.f}` })
      }
      return { type: "ok", value: reply.type === "read_ok" ? reply.value : invokeValue(op) }
    }
  }
}
