import * as fs from "node:fs"
import * as path from "node:path"
import * as zlib from "node:zlib"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { encodeLogRecord, logFormatHeader } from "../../layers/logRecordCodec.js"
import { NodeDisk } from "../../layers/NodeDisk.js"
import type { Log } from "../../services/Log.js"
import { FaultyDisk } from "../support/FaultyDisk.js"
import { entry, freshDirectory, withLog } from "../support/fileLogs.js"

describe("the durable file log", () => {
  it.effect("brings back entries, replaced suffixes and the hard state after a restart", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      yield* withLog(directory, (log) =>
        Effect.gen(function*() {
          yield* log.saveHardState({ term: 2, votedFor: "n3", caughtUp: true })
          yield* log.durable
          yield* log.append([entry(1, 1), entry(1, 2), entry(2, 3)])
          yield* log.durable
          yield* log.replaceFrom(2, [entry(2, 4), entry(2, 5)])
          yield* log.durable
          yield* log.replaceFrom(3, [])
          yield* log.durable
        }))
      const reopened = yield* withLog(directory, (log) => Effect.succeed({ hard: log.hardState(), entries: log.slice(1, log.lastIndex()) }))
      expect(reopened).toEqual({ hard: { term: 2, votedFor: "n3", caughtUp: true }, entries: [entry(1, 1), entry(2, 4)] })
    }))

  it.effect("replaces a suffix with one record, one write and one fsync", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      const disk = new FaultyDisk()
      const file = path.join(directory, "n2.log")
      yield* withLog(directory, (log) =>
        Effect.gen(function*() {
          yield* log.append([entry(1, 1), entry(1, 2), entry(1, 3)])
          yield* log.durable
          const bytes = fs.statSync(file).size
          const callsBefore = disk.calls.length
          yield* log.replaceFrom(2, [entry(2, 4), entry(2, 5)])
          yield* log.durable
          expect(disk.calls.slice(callsBefore).map((call) => call.split(" ")[0])).toEqual(["write", "fsync"])
          const json = JSON.stringify({ replace_from: 2, entries: [entry(2, 4), entry(2, 5)] })
          expect(fs.readFileSync(file, "utf8").slice(bytes)).toBe(`${zlib.crc32(json).toString(16).padStart(8, "0")} ${json}\n`)
        }), disk.layer)
    }))

  it.effect("a crash at any byte of a replaced suffix leaves the log as it was before or after, never a mix", () =>
    Effect.gen(function*() {
      const before = [entry(1, 1), entry(1, 2), entry(1, 3)]
      const after = [entry(1, 1), entry(2, 4), entry(2, 5)]
      const directory = freshDirectory()
      const file = path.join(directory, "n2.log")
      const acknowledged = yield* withLog(directory, (log) =>
        Effect.gen(function*() {
          yield* log.append(before)
          yield* log.durable
          const bytes = fs.statSync(file).size
          yield* log.replaceFrom(2, after.slice(1))
          yield* log.durable
          return bytes
        }))
      const written = fs.readFileSync(file)
      for (let cut = acknowledged; cut <= written.length; cut++) {
        // The machine lost power with this much of the file on disk.
        const crashed = freshDirectory()
        fs.writeFileSync(path.join(crashed, "n2.log"), written.subarray(0, cut))
        fs.writeFileSync(path.join(crashed, "n2.had-log"), "")
        const entries = yield* withLog(crashed, (log) => Effect.succeed(log.slice(1, log.lastIndex())))
        expect(entries).toEqual(cut === written.length ? after : before)
      }
    }))

  it.effect("replays files of format 0 (before checksums, replace_from and command-less no-ops), and rewrites them checksummed", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      const file = path.join(directory, "n2.log")
      // Written by hand as earlier versions wrote: JSON lines, no header, no checksums, truncate_from, no caughtUp.
      fs.writeFileSync(
        file,
        [
          `{"hard_state":{"term":2,"votedFor":"n1"}}`,
          `{"append":[{"term":1,"command":{"type":"noop"}},{"term":1,"command":{"type":"write","key":1,"value":1}}]}`,
          `{"truncate_from":2}`,
          `{"append":[{"term":2,"command":{"type":"cas","key":1,"from":1,"to":2}}]}`,
          ""
        ].join("\n")
      )
      fs.writeFileSync(path.join(directory, "n2.had-log"), "")
      const expected = {
        hard: { term: 2, votedFor: "n1", caughtUp: true },
        entries: [{ term: 1 }, { term: 2, command: { type: "cas", key: 1, from: 1, to: 2 } }]
      }
      const contents = (log: Log["Type"]) => Effect.succeed({ hard: log.hardState(), entries: log.slice(1, log.lastIndex()) })
      expect(yield* withLog(directory, contents)).toEqual(expected)
      const lines = fs.readFileSync(file, "utf8").split("\n")
      expect(lines[0]).toBe(new TextDecoder().decode(logFormatHeader).trimEnd())
      expect(lines.slice(1, -1).every((line) => /^[0-9a-f]{8} \{/.test(line))).toBe(true)
      expect(yield* withLog(directory, contents)).toEqual(expected)
    }))

  it.effect("drops a torn last record (a write cut short by a crash), says so, and goes on appending after it", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      yield* withLog(directory, (log) => log.append([entry(1, 1)]))
      fs.appendFileSync(path.join(directory, "n2.log"), "0123abcd {\"append\":[{\"term\":1,\"comm")
      yield* withLog(directory, (log) =>
        Effect.gen(function*() {
          expect(log.lastIndex()).toBe(1)
          // A disk that lost a durable suffix looks the same: the node asks its peers before it trusts its log.
          expect(log.tornTailDropped).toBe(true)
          yield* log.append([entry(1, 2)])
          yield* log.durable
        }))
      const reopened = yield* withLog(directory, (log) => Effect.succeed({ entries: log.slice(1, 10), torn: log.tornTailDropped }))
      expect(reopened).toEqual({ entries: [entry(1, 1), entry(1, 2)], torn: false })
    }))

  it.effect("reads the file a chunk at a time, records spanning chunks and characters cut between them", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      const values = ["é", "€uro", "😀 and more", "x".repeat(40)]
      yield* withLog(directory, (log) => log.append(values.map((value) => entry(1, value))))
      yield* withLog(directory, (log) => log.saveHardState({ term: 3, votedFor: "n1", caughtUp: false }))
      const reopened = yield* withLog(
        directory,
        (log) => Effect.succeed({ hard: log.hardState(), entries: log.slice(1, 10) }),
        NodeDisk,
        { readChunkBytes: 3 }
      )
      expect(reopened).toEqual({ hard: { term: 3, votedFor: "n1", caughtUp: false }, entries: values.map((value) => entry(1, value)) })
    }))

  it.effect("a first record torn by a crash was never acknowledged: the empty log that comes back is not a lost one", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      yield* withLog(directory, () => Effect.void)
      fs.writeFileSync(path.join(directory, "n2.log"),
        Buffer.concat([logFormatHeader, encodeLogRecord({ append: [entry(1, 1)] }).subarray(0, 20)]))
      expect(yield* withLog(directory, (log) => Effect.succeed([log.lastIndex(), log.hardState().caughtUp]))).toEqual([0, true])
      // The header alone, left by that first write, is no record: the marker still says the node never had a log.
      expect(fs.readFileSync(path.join(directory, "n2.had-log"), "utf8")).toBe("")
    }))

  it.effect("an empty marker left by an earlier version is marked at the first start with records, so a later loss shows", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      yield* withLog(directory, (log) => log.append([entry(1, 1)]))
      fs.writeFileSync(path.join(directory, "n2.had-log"), "")
      expect(yield* withLog(directory, (log) => Effect.succeed(log.hardState().caughtUp))).toBe(true)
      fs.writeFileSync(path.join(directory, "n2.log"), "")
      expect(yield* withLog(directory, (log) => Effect.succeed(log.hardState().caughtUp))).toBe(false)
    }))

  it.effect("a log emptied while the marker beside it remains comes back not caught up; a new one is caught up", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      expect(yield* withLog(directory, (log) => Effect.succeed(log.hardState().caughtUp))).toBe(true)
      // Started and stopped without writing a record: it promised nothing, and is not taken for a lost log.
      expect(yield* withLog(directory, (log) => Effect.succeed(log.hardState().caughtUp))).toBe(true)
      yield* withLog(directory, (log) => log.append([entry(1, 1)]))
      fs.writeFileSync(path.join(directory, "n2.log"), "")
      expect(yield* withLog(directory, (log) => Effect.succeed(log.hardState().caughtUp))).toBe(false)
      // A whole directory wiped looks like a new node to the log: the node asks its peers before it votes (src/raft/recovery.ts).
      fs.rmSync(directory, { recursive: true })
      expect(yield* withLog(directory, (log) => Effect.succeed(log.hardState().caughtUp))).toBe(true)
    }))
})
