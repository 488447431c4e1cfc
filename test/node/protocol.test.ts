import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import { describeParseError } from "../../src/protocol/describeParseError.js"
import { EnvelopeFromJson } from "../../src/protocol/envelope.js"
import { isDefinite } from "../../src/protocol/errorCodes.js"
import { CasRequest, KvReply } from "../../src/protocol/kvMessages.js"
import { AppendEntries } from "../../src/protocol/raftMessages.js"

describe("wire schemas", () => {
  it("decodes an envelope and keeps the body's own fields", () => {
    const decoded = Schema.decodeUnknownSync(EnvelopeFromJson)(
      "{\"src\":\"c1\",\"dest\":\"n1\",\"body\":{\"type\":\"cas\",\"msg_id\":4,\"key\":1,\"from\":2,\"to\":3}}"
    )
    expect(decoded).toEqual({ src: "c1", dest: "n1", body: { type: "cas", msg_id: 4, key: 1, from: 2, to: 3 } })
    expect(Schema.decodeUnknownSync(CasRequest)(decoded.body)).toEqual({ type: "cas", msg_id: 4, key: 1, from: 2, to: 3 })
  })

  it("rejects an envelope without a body type, a fractional msg_id, or text that is not JSON", () => {
    const decode = Schema.decodeUnknownEither(EnvelopeFromJson)
    expect(Either.isLeft(decode("{\"src\":\"c1\",\"dest\":\"n1\",\"body\":{}}"))).toBe(true)
    expect(Either.isLeft(decode("{\"src\":\"c1\",\"dest\":\"n1\",\"body\":{\"type\":\"read\",\"msg_id\":1.5}}"))).toBe(true)
    expect(Either.isLeft(decode("not json"))).toBe(true)
  })

  it("names the missing field of a malformed request in one line", () => {
    const result = Schema.decodeUnknownEither(CasRequest, { errors: "all" })({ type: "cas", key: 1, from: 2 })
    expect(Either.isLeft(result) && describeParseError(result.left)).toBe("to: is missing")
  })

  it("accepts any JSON value as key or value, but not undefined", () => {
    const decode = Schema.decodeUnknownEither(CasRequest)
    expect(Either.isRight(decode({ type: "cas", key: { a: [1, "x", null] }, from: false, to: [1.5] }))).toBe(true)
    expect(Either.isLeft(decode({ type: "cas", key: 1, from: undefined, to: 2 }))).toBe(true)
  })

  it("round-trips Raft messages and client replies", () => {
    const append: AppendEntries = {
      type: "append_entries",
      term: 3,
      leader_id: "n2",
      prev_log_index: 4,
      prev_log_term: 2,
      entries: [{ term: 3, command: { type: "noop" } }, { term: 3, command: { type: "write", key: 1, value: 2 } }],
      leader_commit: 4
    }
    const json = JSON.stringify(Schema.encodeSync(AppendEntries)(append))
    expect(Schema.decodeUnknownSync(AppendEntries)(JSON.parse(json))).toEqual(append)
    expect(Schema.decodeUnknownSync(KvReply)({ type: "error", code: 22, text: "x" })).toEqual({ type: "error", code: 22, text: "x" })
  })

  it("knows which error codes are definite", () => {
    expect([0, 1, 10, 11, 12, 13, 14, 20, 21, 22, 30, 1000].filter(isDefinite)).toEqual([1, 10, 11, 12, 14, 20, 21, 22, 30])
  })
})
