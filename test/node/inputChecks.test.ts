import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Schema, Stream } from "effect"
import { splitBoundedLines } from "../../src/protocol/boundedLines.js"
import { Json, jsonDepth } from "../../foundation/json.js"
import { InitRequest } from "../../src/protocol/kvMessages.js"
import { AppendEntries } from "../../src/protocol/raftMessages.js"
import { describeParseError } from "../../foundation/describeParseError.js"
import { nestsDeeperThan } from "../../src/protocol/wireLimits.js"
import { nestedArrayText } from "../support/nestedJson.js"

describe("the nesting of a line, measured before decoding", () => {
  it("counts arrays and objects, not brackets inside strings", () => {
    expect(nestsDeeperThan(`{"a":[1,{"b":[]}]}`, 4)).toBe(false)
    expect(nestsDeeperThan(`{"a":[1,{"b":[]}]}`, 3)).toBe(true)
    expect(nestsDeeperThan(`{"a":"[[[[{{{{"}`, 1)).toBe(false)
    expect(nestsDeeperThan(`{"a":"\\"[[[["}`, 1)).toBe(false)
    expect(nestsDeeperThan(`{"a":"\\\\",  "b":[[[]]]}`, 3)).toBe(true)
  })

  it("is safe on text that is not JSON and on any depth", () => {
    expect(nestsDeeperThan("]]]]}}} not json [", 1)).toBe(false)
    expect(nestsDeeperThan(nestedArrayText(1_000_000), 128)).toBe(true)
  })
})

describe("JSON values", () => {
  it("measures depth without recursion", () => {
    expect(jsonDepth(1)).toBe(0)
    expect(jsonDepth([])).toBe(1)
    expect(jsonDepth({ a: [1, { b: null }] })).toBe(3)
    expect(jsonDepth(JSON.parse(nestedArrayText(100_000)))).toBe(100_000)
    expect(jsonDepth({ a: undefined })).toBeUndefined()
    expect(jsonDepth([1, () => 2])).toBeUndefined()
  })

  it("decodes any depth: the schema does not recurse", () => {
    const decode = Schema.decodeUnknownEither(Json)
    expect(Either.isRight(decode(JSON.parse(nestedArrayText(100_000))))).toBe(true)
    expect(Either.isLeft(decode([[[{ a: undefined }]]]))).toBe(true)
  })
})

describe("init", () => {
  const decode = (init: object) => {
    const result = Schema.decodeUnknownEither(InitRequest)({ type: "init", ...init })
    return Either.isLeft(result) ? describeParseError(result.left) : "ok"
  }

  it("must name this node among node_ids, each once", () => {
    expect(decode({ node_id: "n1", node_ids: ["n1", "n2"] })).toBe("ok")
    expect(decode({ node_id: "n1", node_ids: [] })).toBe("node_ids [] does not contain node_id \"n1\"")
    expect(decode({ node_id: "n3", node_ids: ["n1", "n2"] })).toBe("node_ids [\"n1\",\"n2\"] does not contain node_id \"n3\"")
    expect(decode({ node_id: "n1", node_ids: ["n1", "n2", "n2"] })).toBe("node_ids [\"n1\",\"n2\",\"n2\"] names \"n2\" twice")
  })
})

describe("lines split with a byte limit", () => {
  const split = (chunks: ReadonlyArray<string>, maxBytes: number) =>
    Stream.fromIterable(chunks.map((chunk) => new TextEncoder().encode(chunk))).pipe(
      splitBoundedLines(maxBytes),
      Stream.runCollect,
      Effect.map(Chunk.toArray)
    )

  it.effect("keeps lines up to the limit, CRLF or LF, and a last line without newline", () =>
    Effect.gen(function*() {
      expect(yield* split(["ab", "c\r\n\nde", "f\nlast"], 4)).toEqual([
        { _tag: "Line", text: "abc" },
        { _tag: "Line", text: "" },
        { _tag: "Line", text: "def" },
        { _tag: "Line", text: "last" }
      ])
    }))

  it.effect("drops the text of a longer line, whatever its chunks, and goes on", () =>
    Effect.gen(function*() {
      expect(yield* split(["12", "345", "67\nok\n", "123456789"], 4)).toEqual([
        { _tag: "TooLong", bytes: 7 },
        { _tag: "Line", text: "ok" },
        { _tag: "TooLong", bytes: 9 }
      ])
    }))

  it.effect("decodes a character split across chunks", () =>
    Effect.gen(function*() {
      const bytes = new TextEncoder().encode("é\n")
      const lines = yield* Stream.make(bytes.subarray(0, 1), bytes.subarray(1)).pipe(
        splitBoundedLines(10),
        Stream.runCollect
      )
      expect(Chunk.toArray(lines)).toEqual([{ _tag: "Line", text: "é" }])
    }))
})

describe("parse errors as told to a client", () => {
  it("name at most 5 issues, each at most 300 characters", () => {
    const entries = Array.from({ length: 1000 }, () => ({ term: "x".repeat(1000) }))
    const result = Schema.decodeUnknownEither(AppendEntries, { errors: "all" })({ type: "append_entries", entries })
    const text = Either.isLeft(result) ? describeParseError(result.left) : ""
    expect(text).toMatch(/; and \d+ more$/)
    expect(text.length).toBeLessThan(5 * 320 + 20)
  })
})
