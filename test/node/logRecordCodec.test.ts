import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { encodeLogRecord, type LogRecord, makeLogReplay } from "../../layers/logRecordCodec.js"
import { entry } from "../support/fileLogs.js"

const text = new TextEncoder()

/** Replays `bytes` fed in chunks of `chunkBytes`. */
const replay = (bytes: Uint8Array, chunkBytes: number) => {
  const log = makeLogReplay("x.log")
  for (let start = 0; start < bytes.length; start += chunkBytes) {
    const pushed = log.push(bytes.subarray(start, start + chunkBytes))
    if (Either.isLeft(pushed)) return Either.left(pushed.left.message)
  }
  return Either.right(log.finish())
}

const records: ReadonlyArray<LogRecord> = [
  { hard_state: { term: 1, votedFor: "n1", caughtUp: false } },
  { append: [entry(1, "é"), entry(1, "€"), entry(1, "😀")] },
  { truncate_from: 3 },
  { append: [entry(1, "x".repeat(30))] },
  // Entries 1 and 2 compacted away; `truncate_from` and `replace_from` still count from the start of the whole log.
  { snapshot: { last_index: 2, last_term: 1, data: "[[1,\"€\"]]" } },
  { append: [entry(2, "y")] },
  { truncate_from: 4 },
  { replace_from: 4, entries: [entry(2, "z"), entry(2, "w")] },
  { replace_from: 5, entries: [] },
  { hard_state: { term: 2, votedFor: null, caughtUp: false } }
]
const file = Buffer.concat(records.map(encodeLogRecord))

describe("the log record codec", () => {
  it("keeps the file format: one JSON object per line", () => {
    expect(new TextDecoder().decode(encodeLogRecord({ hard_state: { term: 2, votedFor: "n3", caughtUp: false } }))).toBe(
      "{\"hard_state\":{\"term\":2,\"votedFor\":\"n3\",\"caughtUp\":false}}\n"
    )
    expect(new TextDecoder().decode(encodeLogRecord({ truncate_from: 4 }))).toBe("{\"truncate_from\":4}\n")
    expect(new TextDecoder().decode(encodeLogRecord({ replace_from: 4, entries: [] }))).toBe("{\"replace_from\":4,\"entries\":[]}\n")
  })

  it("replays the same log whatever the chunk size, records and characters cut between chunks", () => {
    const expected = {
      storage: {
        snapshot: { lastIndex: 2, lastTerm: 1, data: "[[1,\"€\"]]" },
        entries: [entry(1, "x".repeat(30)), entry(2, "z")],
        hardState: { term: 2, votedFor: null, caughtUp: false }
      },
      wholeBytes: file.length,
      tornBytes: 0
    }
    for (let chunkBytes = 1; chunkBytes <= file.length; chunkBytes++) {
      expect(replay(file, chunkBytes)).toEqual(Either.right(expected))
    }
  })

  it("reads a hard state written before `caughtUp` existed as caught up, as its node was", () => {
    const old = text.encode("{\"hard_state\":{\"term\":4,\"votedFor\":\"n2\"}}\n")
    expect(replay(old, old.length)).toMatchObject(Either.right({ storage: { hardState: { term: 4, votedFor: "n2", caughtUp: true } } }))
  })

  it("drops a torn last record and says how many bytes it had", () => {
    const torn = Buffer.concat([file, text.encode("{\"append\":[{\"te")])
    for (const chunkBytes of [1, 7, torn.length]) {
      expect(replay(torn, chunkBytes)).toMatchObject(Either.right({ wholeBytes: file.length, tornBytes: 15 }))
    }
  })

  it("refuses a corrupt record in the middle, naming the file and its byte offset", () => {
    const corrupt = Buffer.concat([text.encode("{\"append\":[]}\nnot a record\n"), file])
    for (const chunkBytes of [1, 5, corrupt.length]) {
      expect(replay(corrupt, chunkBytes)).toEqual(Either.left(expect.stringMatching(/^x\.log: corrupt record at byte 14: /)))
    }
  })

  it("refuses a record that is not UTF-8 or not a record", () => {
    const notUtf8 = Buffer.concat([file, Buffer.from([0x7b, 0xff, 0x7d, 0x0a])])
    expect(replay(notUtf8, 4)).toEqual(Either.left(`x.log: corrupt record at byte ${file.length}: not UTF-8`))
    const wrongShape = Buffer.concat([file, text.encode("{\"truncate_from\":\"3\"}\n")])
    expect(replay(wrongShape, 4)).toEqual(Either.left(expect.stringContaining(`x.log: corrupt record at byte ${file.length}: `)))
  })
})
