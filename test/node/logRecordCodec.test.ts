import * as zlib from "node:zlib"
import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { encodeLogFile, encodeLogRecord, type LogRecord, logFormatHeader, makeLogReplay } from "../../layers/logRecordCodec.js"
import { entry } from "../support/fileLogs.js"

const text = new TextEncoder()

/** A line of format 1, written by hand: the CRC32 of the JSON in 8 hex digits, a space, the JSON. */
const checkedLine = (json: string) => `${zlib.crc32(json).toString(16).padStart(8, "0")} ${json}\n`

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
const file = encodeLogFile(records)
const replayed = {
  snapshot: { lastIndex: 2, lastTerm: 1, data: "[[1,\"€\"]]" },
  entries: [entry(1, "x".repeat(30)), entry(2, "z")],
  hardState: { term: 2, votedFor: null, caughtUp: false }
}

/** The byte offset of the line holding `needle`. */
const lineOf = (bytes: Uint8Array, needle: string) => Buffer.from(bytes).lastIndexOf("\n", Buffer.from(bytes).indexOf(needle)) + 1

describe("the log record codec", () => {
  it("keeps the file format: a header line, then one line per record, its JSON's CRC32 in hex before it", () => {
    expect(new TextDecoder().decode(logFormatHeader)).toBe(checkedLine("{\"log_format\":1}"))
    expect(new TextDecoder().decode(logFormatHeader)).toBe("2e81f74e {\"log_format\":1}\n")
    expect(new TextDecoder().decode(encodeLogRecord({ hard_state: { term: 2, votedFor: "n3", caughtUp: false } }))).toBe(
      checkedLine("{\"hard_state\":{\"term\":2,\"votedFor\":\"n3\",\"caughtUp\":false}}")
    )
    expect(new TextDecoder().decode(encodeLogRecord({ replace_from: 4, entries: [entry(1, "€")] }))).toBe(
      checkedLine("{\"replace_from\":4,\"entries\":[{\"term\":1,\"command\":{\"type\":\"write\",\"key\":1,\"value\":\"€\"}}]}")
    )
  })

  it("replays the same log whatever the chunk size, records and characters cut between chunks", () => {
    const expected = { storage: replayed, format: 1, wholeBytes: file.length, records: records.length, tornBytes: 0, corruption: null }
    for (let chunkBytes = 1; chunkBytes <= file.length; chunkBytes++) {
      expect(replay(file, chunkBytes)).toEqual(Either.right(expected))
    }
  })

  it("replays a file of format 0 (JSON lines without header or checksums, as earlier versions wrote)", () => {
    const old = text.encode(records.map((record) => `${JSON.stringify(record)}\n`).join(""))
    for (const chunkBytes of [1, 7, old.length]) {
      expect(replay(old, chunkBytes)).toEqual(
        Either.right({ storage: replayed, format: 0, wholeBytes: old.length, records: records.length, tornBytes: 0, corruption: null })
      )
    }
  })

  it("reads a hard state written before `caughtUp` existed as caught up, as its node was", () => {
    const old = text.encode("{\"hard_state\":{\"term\":4,\"votedFor\":\"n2\"}}\n")
    expect(replay(old, old.length)).toMatchObject(Either.right({ storage: { hardState: { term: 4, votedFor: "n2", caughtUp: true } } }))
  })

  it("drops a torn last record and says how many bytes it had", () => {
    const torn = Buffer.concat([file, encodeLogRecord({ append: [entry(3, 1)] }).subarray(0, 15)])
    for (const chunkBytes of [1, 7, torn.length]) {
      expect(replay(torn, chunkBytes)).toMatchObject(Either.right({ wholeBytes: file.length, tornBytes: 15, corruption: null }))
    }
  })

  it("takes a record whose checksum fails for corruption: keeps what came before it, names its byte and the checksums", () => {
    const damaged = Buffer.from(file)
    const at = damaged.indexOf("\"z\"") + 1
    damaged[at] = "q".charCodeAt(0)
    const offset = lineOf(damaged, "\"q\"")
    for (const chunkBytes of [1, 5, damaged.length]) {
      const result = replay(damaged, chunkBytes)
      expect(result).toMatchObject(Either.right({
        format: 1,
        wholeBytes: offset,
        storage: { entries: [entry(1, "x".repeat(30))], hardState: { term: 1, votedFor: "n1" } },
        // The sound hard state after it names term 2.
        corruption: { offset, problem: expect.stringMatching(/^checksum: the line says [0-9a-f]{8}, its content gives [0-9a-f]{8}$/),
          laterTerm: 2 }
      }))
    }
  })

  it("names what is wrong with a damaged record: no checksum, not UTF-8, a field of the wrong type", () => {
    const header = logFormatHeader.length
    const cases: ReadonlyArray<[Uint8Array, string]> = [
      [text.encode("{\"append\":[]}\n"), "checksum: missing (the line must start with 8 hex digits and a space)"],
      [
        Buffer.concat([text.encode(`${zlib.crc32(Buffer.from([0x7b, 0xff, 0x7d])).toString(16).padStart(8, "0")} `),
          Buffer.from([0x7b, 0xff, 0x7d, 0x0a])]),
        "not UTF-8"
      ],
      [text.encode(checkedLine("{\"truncate_from\":\"3\"}")), "truncate_from: Expected number, actual \"3\""]
    ]
    for (const [line, problem] of cases) {
      const bytes = Buffer.concat([logFormatHeader, line, encodeLogRecord({ append: [] })])
      expect(replay(bytes, 4)).toMatchObject(
        Either.right({ wholeBytes: header, corruption: { offset: header, problem: expect.stringContaining(problem) } })
      )
    }
  })

  it("counts only sound records after the damage for the terms the node reached", () => {
    const bytes = Buffer.concat([
      logFormatHeader,
      encodeLogRecord({ hard_state: { term: 3, votedFor: "n1", caughtUp: true } }),
      text.encode("garbage\n"),
      encodeLogRecord({ append: [entry(4, 1), entry(5, 2)] }),
      // A damaged hard state naming term 9: its term is not to be believed.
      text.encode(checkedLine("{\"hard_state\":{\"term\":6,\"votedFor\":null}}").replace("6", "9"))
    ])
    expect(replay(bytes, 3)).toMatchObject(Either.right({ storage: { hardState: { term: 3 } }, corruption: { laterTerm: 5 } }))
  })

  it("takes a damaged header or a first record that is no header for corruption at byte 0", () => {
    const badHeader = Buffer.from(file)
    badHeader[12] = "2".charCodeAt(0)
    expect(replay(badHeader, 10)).toMatchObject(
      Either.right({ wholeBytes: 0, corruption: { offset: 0, problem: expect.stringContaining("checksum") } })
    )
    const noHeader = Buffer.concat(records.map(encodeLogRecord))
    expect(replay(noHeader, 10)).toMatchObject(
      Either.right({ wholeBytes: 0, corruption: { offset: 0, problem: "header: log_format: is missing" } })
    )
  })

  it("refuses a file of a format it does not know, naming the file and the header's field: it is no damage to repair", () => {
    const newer = Buffer.concat([text.encode(checkedLine("{\"log_format\":2}")), encodeLogRecord({ append: [] })])
    expect(replay(newer, 5)).toEqual(
      Either.left(
        "x.log: written in log format 2 (header at byte 0, field log_format); this version reads files without a header (format 0) and of format 1"
      )
    )
  })

  it("takes a line of format 0 that is not a record for corruption", () => {
    const corrupt = Buffer.concat([text.encode("{\"append\":[]}\nnot a record\n"),
      text.encode("{\"hard_state\":{\"term\":7,\"votedFor\":null}}\n")])
    for (const chunkBytes of [1, 5, corrupt.length]) {
      expect(replay(corrupt, chunkBytes)).toMatchObject(
        Either.right({ format: 0, wholeBytes: 14, corruption: { offset: 14, problem: expect.any(String), laterTerm: 7 } })
      )
    }
  })
})
