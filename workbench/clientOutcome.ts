import { isDefinite } from "../src/protocol/errorCodes.js"
import type { Json } from "../src/protocol/json.js"
import type { KvReply } from "../src/protocol/kvMessages.js"

/** One lin-kv operation a client performs. */
export type Operation =
  | { readonly f: "read"; readonly key: number }
  | { readonly f: "write"; readonly key: number; readonly value: number }
  | { readonly f: "cas"; readonly key: number; readonly from: number; readonly to: number }

/** What came back for a request: a decoded reply, a reply we could not decode, or nothing in time. */
export type Response =
  | { readonly _tag: "Reply"; readonly reply: KvReply }
  | { readonly _tag: "Malformed"; readonly problem: string }
  | { readonly _tag: "Timeout"; readonly afterMs: number }

/** The completion line of an operation, as the history records it. */
export interface Outcome {
  readonly type: "ok" | "fail" | "info"
  readonly value: Json
  readonly error?: { readonly code: number; readonly text: string }
}

/** The history's `value` of an invoke: null for a read, the value written, `[from, to]` for a cas. */
export const invokeValue = (op: Operation): Json =>
  op.f === "read" ? null : op.f === "write" ? op.value : [op.from, op.to]

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
        const error = { code: reply.code, text: reply.text }
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
