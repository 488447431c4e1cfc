import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import { describeParseError } from "../../foundation/describeParseError.js"
import { decodeEnvelope, encodeEnvelope, type Envelope, EnvelopeFromJson } from "../../src/protocol/envelope.js"
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

  it("decodes a line as EnvelopeFromJson does, valid or not", () => {
    const lines = [
      `{"src":"c1","dest":"n1","body":{"type":"cas","msg_id":4,"key":{"a":[1]},"from":2,"to":3}}`,
      `{"id":7,"src":"n2","dest":"n1","body":{"type":"append_entries_ok","in_reply_to":9,"success":true}}`,
      `{"src":"c1","dest":"n1","body":{}}`,
      `{"src":"c1","dest":"n1","body":{"type":"read","msg_id":1.5}}`,
      `{"src":"c1","dest":"n1","body":{"type":"read","in_reply_to":9007199254740993}}`,
      `{"src":"c1","dest":"n1","body":[1]}`,
      `{"src":"c1","dest":2,"body":{"type":"read"}}`,
      `{"src":"c1","body":{"type":"read"}}`,
      `[{"src":"c1","dest":"n1","body":{"type":"read"}}]`,
      `"text"`,
      `not json`
    ]
    for (const line of lines) {
      const expected = Schema.decodeUnknownEither(EnvelopeFromJson)(line)
      const decoded = decodeEnvelope(line)
      if (Either.isRight(expected)) {
        expect(Either.isRight(decoded) && decoded.right.body).toEqual(expected.right.body)
        expect(Either.isRight(decoded) && [decoded.right.src, decoded.right.dest]).toEqual([expected.right.src, expected.right.dest])
      } else {
        expect(Either.isLeft(decoded) && describeParseError(decoded.left)).toBe(describeParseError(expected.left))
      }
    }
  })

  it("encodes what a node sends as EnvelopeFromJson does, and refuses what JSON cannot hold", () => {
    const envelopes: ReadonlyArray<Envelope> = [
      { src: "n1", dest: "c1", body: { type: "read_ok", in_reply_to: 4, value: { a: [1, null, "x"] } } },
      { src: "n1", dest: "n2", body: { type: "append_entries", msg_id: 2 ** 52 + 1, entries: [], leader_commit: 0 } },
      { src: "n1", dest: "c1", body: { type: "error", in_reply_to: 3, code: 12, text: "a \"quoted\"\nline", msg_id: undefined } }
    ]
    for (const envelope of envelopes) {
      expect(encodeEnvelope(envelope)).toEqual(Either.right(Schema.encodeSync(EnvelopeFromJson)(envelope)))
    }
    const cyclic: Record<string, unknown> = { type: "write_ok" }
    cyclic.self = cyclic
    for (const body of [{ type: "read_ok", value: 10n }, cyclic]) {
      const encoded = encodeEnvelope({ src: "n1", dest: "c1", body: body as Envelope["body"] })
      expect(Either.isLeft(encoded) && encoded.left.reason).toMatch(/BigInt|circular/)
    }
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
      entries: [{ term: 3 }, { term: 3, command: { type: "write", key: 1, value: 2 } }],
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
