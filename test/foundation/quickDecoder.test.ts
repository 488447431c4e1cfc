import { describe, expect, it } from "@effect/vitest"
import { Either, ParseResult, Schema } from "effect"
import { hasQuickPath, quickDecoder } from "../../foundation/quickDecoder.js"
import { Forward } from "../../src/protocol/forwardMessage.js"
import { KvReply, KvRequest } from "../../src/protocol/kvMessages.js"
import {
  AppendEntries,
  AppendEntriesResult,
  InstallSnapshot,
  RequestVote,
  RequestVoteResult
} from "../../src/protocol/raftMessages.js"
import { type Draw, pick, seeded } from "../support/seededDraws.js"

/** Values a field may be given in place of its own: each kind of JSON value and then some. */
const oddities: ReadonlyArray<unknown> = [
  undefined,
  null,
  true,
  0,
  -1,
  2.5,
  9007199254740993,
  Number.NaN,
  "",
  "n2",
  [],
  [1, "x"],
  {},
  { term: 1 },
  { a: { b: [1, { c: null }] } }
]

/** Well-formed messages of each hot shape, as they travel. */
const examples: ReadonlyArray<readonly [string, Schema.Schema<any, any>, ReadonlyArray<unknown>]> = [
  ["AppendEntries", AppendEntries, [
    {
      type: "append_entries",
      msg_id: 7,
      term: 3,
      leader_id: "n1",
      prev_log_index: 10,
      prev_log_term: 2,
      entries: [
        { term: 3, command: { type: "write", key: 1, value: 2, session: "n2", serial: 4 } },
        { term: 3 },
        { term: 3, config: { voters: ["n1", "n2", "n3"], learners: [], outgoing: ["n1", "n2"] } }
      ],
      leader_commit: 9
    },
    { type: "append_entries", term: 1, leader_id: "n2", prev_log_index: 0, prev_log_term: 0, entries: [], leader_commit: 0 }
  ]],
  ["AppendEntriesResult", AppendEntriesResult, [
    { type: "append_entries_result", term: 3, success: true, match_index: 12, in_reply_to: 7 },
    { type: "append_entries_result", term: 3, success: false, match_index: 0, conflict_index: 4, conflict_term: 2 }
  ]],
  ["RequestVote", RequestVote, [
    { type: "request_vote", msg_id: 1, term: 4, candidate_id: "n3", last_log_index: 8, last_log_term: 3, pre_vote: false },
    {
      type: "request_vote",
      term: 4,
      candidate_id: "n3",
      last_log_index: 8,
      last_log_term: 3,
      pre_vote: true,
      transfer: true
    }
  ]],
  ["RequestVoteResult", RequestVoteResult, [{ type: "request_vote_result", term: 2, vote_granted: true }]],
  ["InstallSnapshot", InstallSnapshot, [
    {
      type: "install_snapshot",
      msg_id: 3,
      term: 5,
      leader_id: "n1",
      last_index: 100,
      last_term: 4,
      offset: 0,
      data: "[[1,2]]",
      done: true
    }
  ]],
  ["Forward", Forward, [
    { type: "forward", msg_id: 9, term: 2, session: "n2:17", serial: 5, request: { type: "cas", key: 1, from: 2, to: 3 } },
    { type: "forward", term: 2, session: "n3:1", serial: 0, request: { type: "read", msg_id: 4, key: [1, "a"] } }
  ]],
  ["KvRequest", KvRequest, [
    { type: "read", msg_id: 1, key: 3 },
    { type: "write", msg_id: 2, key: "k", value: { nested: [1, 2] } },
    { type: "cas", key: 0, from: null, to: "x", extra: true }
  ]],
  ["KvReply", KvReply, [
    { type: "read_ok", value: 4 },
    { type: "write_ok" },
    { type: "cas_ok", in_reply_to: 3 },
    { type: "error", code: 22, text: "expected 1, had 2" }
  ]]
]

/** A copy of `value` with one thing changed somewhere inside: a field dropped, replaced, added, or a level swapped for another value. */
const mutated = (draw: Draw, value: unknown): unknown => {
  if (Array.isArray(value)) {
    if (value.length === 0 || draw() < 0.2) return draw() < 0.5 ? [...value, pick(draw, oddities)] : pick(draw, oddities)
    const at = Math.floor(draw() * value.length)
    return value.map((item, i) => i === at ? mutated(draw, item) : item)
  }
  if (typeof value !== "object" || value === null) return pick(draw, oddities)
  const fields = { ...(value as Record<string, unknown>) }
  const keys = Object.keys(fields)
  const roll = draw()
  if (roll < 0.15 || keys.length === 0) fields[pick(draw, ["extra", "term", "entries", "type", "key"])] = pick(draw, oddities)
  else if (roll < 0.3) delete fields[pick(draw, keys)]
  else {
    const key = pick(draw, keys)
    fields[key] = draw() < 0.5 ? pick(draw, oddities) : mutated(draw, fields[key])
  }
  return fields
}

/** A decoding's outcome as text: the value with its key order, or the error's full message. */
const outcome = (result: Either.Either<unknown, ParseResult.ParseError>) =>
  Either.match(result, {
    onLeft: (error) => `error: ${ParseResult.TreeFormatter.formatErrorSync(error)}`,
    onRight: (value) => `ok: ${JSON.stringify(value)}`
  })

describe("the quick decoder gives exactly what the schema gives", () => {
  for (const [name, schema, messages] of examples) {
    it(`${name}: the plain checks cover it`, () => {
      expect(hasQuickPath(schema)).toBe(true)
    })

    it(`${name}: well-formed messages and 2,000 mutations of them decode alike, errors included`, () => {
      const bySchema = Schema.decodeUnknownEither(schema, { errors: "all" })
      const quick = quickDecoder(schema, { errors: "all" })
      const draw = seeded(name.length * 7919)
      let accepted = 0
      for (const message of messages) expect(outcome(quick(message))).toBe(outcome(bySchema(message)))
      for (let i = 0; i < 2000; i++) {
        let input = pick(draw, messages)
        for (let changes = 1 + Math.floor(draw() * 3); changes > 0; changes--) input = mutated(draw, input)
        const expected = bySchema(input)
        if (Either.isRight(expected)) accepted += 1
        expect(outcome(quick(input)), JSON.stringify(input)).toBe(outcome(expected))
        if (Either.isRight(expected)) expect(quick(input)).toEqual(expected)
      }
      // The mutations must exercise both sides, or the comparison proves little.
      expect(accepted).toBeGreaterThan(50)
      expect(accepted).toBeLessThan(1950)
    })
  }

  it("steps aside for shapes it does not know, leaving the schema's result", () => {
    const Tagged = Schema.Struct({ at: Schema.Date, rest: Schema.Record({ key: Schema.String, value: Schema.Number }) })
    expect(hasQuickPath(Tagged)).toBe(false)
    const decoded = quickDecoder(Tagged)({ at: "2026-01-01T00:00:00Z", rest: {} })
    expect(Either.isRight(decoded) && decoded.right.at instanceof Date).toBe(true)
  })

  it("refuses to choose between two union members that both accept", () => {
    const Loose = Schema.Union(Schema.Struct({ a: Schema.Number }), Schema.Struct({ a: Schema.Number, b: Schema.String }))
    const input = { a: 1, b: "x" }
    expect(outcome(quickDecoder(Loose)(input))).toBe(outcome(Schema.decodeUnknownEither(Loose)(input)))
  })
})
