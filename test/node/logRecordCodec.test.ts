import * as zlib from "node:zlib"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import {
  type ChunkPlace,
  encodeLogRecord,
  type LogRecord,
  logFormatHeader,
  makeLogReplay,
  snapshotChunkLine,
  snapshotChunkText
} from "../../layers/logRecordCodec.js"
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
  const recovered = log.finish()
  // A snapshot as its place: its chunks are read by whoever holds the file.
  const snapshot = recovered.storage.snapshot
  return Either.right({
    ...recovered,
    storage: { ...recovered.storage, snapshot: snapshot && { lastIndex: snapshot.lastIndex, lastTerm: snapshot.lastTerm } }
  })
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
const file = Buffer.concat([logFormatHeader, ...records.map(encodeLogRecord)])
const replayed = {
  snapshot: { lastIndex: 2, lastTerm: 1 },
  entries: [entry(1, "x".repeat(30)), entry(2, "z")],
  hardState: { term: 2, votedFor: null, caughtUp: false }
}

/** The byte offset of the line holding `needle`. */
const lineOf = (bytes: Uint8Array, needle: string) => Buffer.from(bytes).lastIndexOf("\n", Buffer.from(bytes).indexOf(needle)) + 1

describe("the log record codec", () => {
  it("keeps the file format: a header line, then one line per record, its JSON's CRC32 in hex before it", () => {
    expect(new TextDecoder().decode(logFormatHeader)).toBe(checkedLine("{\"log_format\":2}"))
    expect(new TextDecoder().decode(logFormatHeader)).toBe("05aca48d {\"log_format\":2}\n")
    expect(new TextDecoder().decode(snapshotChunkLine("[[1,\"€\"],[2,2]]"))).toBe(checkedLine("{\"snapshot_chunk\":[[1,\"€\"],[2,2]]}"))
    expect(new TextDecoder().decode(encodeLogRecord({ hard_state: { term: 2, votedFor: "n3", caughtUp: false } }))).toBe(
      checkedLine("{\"hard_state\":{\"term\":2,\"votedFor\":\"n3\",\"caughtUp\":false}}")
    )
    expect(new TextDecoder().decode(encodeLogRecord({ replace_from: 4, entries: [entry(1, "€")] }))).toBe(
      checkedLine("{\"replace_from\":4,\"entries\":[{\"term\":1,\"command\":{\"type\":\"write\",\"key\":1,\"value\":\"€\"}}]}")
    )
  })

  it("replays the same log whatever the chunk size, records and characters cut between chunks", () => {
    const expected = { storage: replayed, format: 2, wholeBytes: file.length, records: records.length, tornBytes: 0, corruption: null }
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
        format: 2,
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
    const newer = Buffer.concat([text.encode(checkedLine("{\"log_format\":3}")), encodeLogRecord({ append: [] })])
    expect(replay(newer, 5)).toEqual(
      Either.left(
        "x.log: written in log format 3 (header at byte 0, field log_format); this version reads files without a header (format 0) and of formats 1 and 2"
      )
    )
  })

  it("finds a snapshot's chunk records before it, each by its place in the file, and reads each back from its line alone", () => {
    const chunks = ["[[1,1],[2,2]]", "[[3,\"é\"]]"]
    const lines = chunks.map(snapshotChunkLine)
    const bytes = Buffer.concat([
      logFormatHeader,
      ...lines,
      encodeLogRecord({ snapshot: { last_index: 7, last_term: 2, chunks: 2 } }),
      encodeLogRecord({ append: [entry(2, 8)] })
    ])
    for (const chunkBytes of [1, 9, bytes.length]) {
      const located: Array<ReadonlyArray<ChunkPlace>> = []
      const log = makeLogReplay("x.log", (place, places) => {
        located.push(places)
        return { ...place, chunk: () => Effect.die("unread") }
      })
      for (let start = 0; start < bytes.length; start += chunkBytes) log.push(bytes.subarray(start, start + chunkBytes))
      const { storage } = log.finish()
      expect({ lastIndex: storage.snapshot?.lastIndex, firstIndex: storage.entries.length }).toEqual({ lastIndex: 7, firstIndex: 1 })
      expect(located).toEqual([[
        { position: logFormatHeader.length, length: lines[0]!.length },
        { position: logFormatHeader.length + lines[0]!.length, length: lines[1]!.length }
      ]])
      const read = located[0]!.map(({ length, position }) => snapshotChunkText(bytes.subarray(position, position + length)))
      expect(read).toEqual(chunks.map(Either.right))
    }
  })

  it("keeps configurations: in entries, and in a snapshot record (a record without one, written before, reads as the first)", () => {
    const joint = { voters: ["n2", "n3"], learners: ["n4"], outgoing: ["n1", "n2", "n3"] }
    const final = { voters: ["n2", "n3"], learners: ["n4"] }
    const bytes = Buffer.concat([
      logFormatHeader,
      snapshotChunkLine("[[1,1]]"),
      encodeLogRecord({ snapshot: { last_index: 4, last_term: 1, chunks: 1, config: joint } }),
      encodeLogRecord({ append: [{ term: 1, config: final }, entry(1, 6)] })
    ])
    const places: Array<unknown> = []
    const log = makeLogReplay("x.log", (place) => {
      places.push(place)
      return { ...place, chunk: () => Effect.die("unread") }
    })
    log.push(bytes)
    const { storage } = log.finish()
    expect(places).toEqual([{ lastIndex: 4, lastTerm: 1, config: joint }])
    expect(storage.snapshot).toMatchObject({ config: joint })
    expect(storage.entries[0]).toEqual({ term: 1, config: final })
    const older = makeLogReplay("x.log", (place) => ({ ...place, chunk: () => Effect.die("unread") }))
    older.push(Buffer.concat([
      logFormatHeader,
      snapshotChunkLine("[[1,1]]"),
      encodeLogRecord({ snapshot: { last_index: 4, last_term: 1, chunks: 1 } })
    ]))
    expect(older.finish().storage.snapshot).not.toHaveProperty("config")
  })

  it("takes a snapshot record that does not match the chunk records before it for corruption", () => {
    const bytes = Buffer.concat([
      logFormatHeader,
      snapshotChunkLine("[[1,1]]"),
      encodeLogRecord({ snapshot: { last_index: 7, last_term: 2, chunks: 2 } })
    ])
    expect(replay(bytes, 7)).toMatchObject(Either.right({
      storage: { snapshot: null },
      corruption: { offset: logFormatHeader.length + snapshotChunkLine("[[1,1]]").length,
        problem: "snapshot: it names 2 chunks, and 1 chunk records come before it" }
    }))
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
