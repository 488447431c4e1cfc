import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { encodeLogRecord, logFormatHeader } from "../../layers/logRecordCodec.js"
import { FaultyDisk } from "../support/FaultyDisk.js"
import { entry, freshDirectory, withLog } from "../support/fileLogs.js"

const logFile = (directory: string) => path.join(directory, "n2.log")
/** The size of the record that appends one of these entries. */
const recordBytes = encodeLogRecord({ append: [entry(1, 1)] }).length
/** The size of a new file's first write: the format header and the first record. */
const firstWriteBytes = logFormatHeader.length + recordBytes

/** What a restart finds, read with the machine's own disk. */
const reopen = (directory: string) =>
  withLog(directory, (log) => Effect.succeed({ hard: log.hardState(), entries: log.slice(1, log.lastIndex()) }))

describe("the durable file log on a failing disk", () => {
  it.effect("writes the rest of a record after short writes, and only then acknowledges it", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      const disk = new FaultyDisk()
      yield* withLog(directory, (log) =>
        Effect.gen(function*() {
          disk.nextWrites.push({ writeOnly: 5 }, { writeOnly: 3 })
          yield* log.append([entry(1, 1)])
        }), disk.layer)
      expect(disk.calls.filter((call) => call.startsWith("write"))).toEqual([
        `write ${firstWriteBytes} at 0`,
        `write ${firstWriteBytes - 5} at 5`,
        `write ${firstWriteBytes - 8} at 8`,
        // The had-log marker, marked once the first record is durable.
        `write 2 at 0`
      ])
      expect((yield* reopen(directory)).entries).toEqual([entry(1, 1)])
    }))

  it.effect("fails a write the disk cannot take, leaves no partial record, and goes on once space returns", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      const disk = new FaultyDisk()
      const wholeSize = yield* withLog(directory, (log) =>
        Effect.gen(function*() {
          yield* log.append([entry(1, 1)])
          const size = fs.statSync(logFile(directory)).size
          disk.nextWrites.push({ writeOnly: 10 }, { fail: "ENOSPC" })
          const error = yield* Effect.flip(log.append([entry(1, 2)]))
          expect(error.message).toBe(
            `appending a record of ${recordBytes} bytes to ${logFile(directory)} at byte ${size} failed: ` +
              `write ${logFile(directory)}: ENOSPC: injected; the file was cut back to its last whole record (byte ${size})`
          )
          expect(log.lastIndex()).toBe(1)
          expect(fs.statSync(logFile(directory)).size).toBe(size)
          yield* log.append([entry(1, 3)])
          return size
        }), disk.layer)
      expect(disk.calls).toContain(`truncate ${wholeSize}`)
      expect((yield* reopen(directory)).entries).toEqual([entry(1, 1), entry(1, 3)])
    }))

  it.effect("fails a write whose fsync fails, and cuts it off", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      const disk = new FaultyDisk()
      yield* withLog(directory, (log) =>
        Effect.gen(function*() {
          yield* log.saveHardState({ term: 1, votedFor: null, caughtUp: false })
          disk.nextFsyncs.push("EIO")
          const error = yield* Effect.flip(log.saveHardState({ term: 2, votedFor: "n1", caughtUp: false }))
          expect(error.message).toContain(`fsync ${logFile(directory)}: EIO`)
          expect(log.hardState()).toEqual({ term: 1, votedFor: null, caughtUp: false })
        }), disk.layer)
      expect(yield* reopen(directory)).toEqual({ hard: { term: 1, votedFor: null, caughtUp: false }, entries: [] })
    }))

  it.effect("refuses every later write when a failed write cannot be cut off, and still restarts with what it acknowledged", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      const disk = new FaultyDisk()
      yield* withLog(directory, (log) =>
        Effect.gen(function*() {
          yield* log.append([entry(1, 1)])
          disk.nextWrites.push({ writeOnly: 10 }, { fail: "ENOSPC" })
          disk.nextTruncates.push("EIO")
          const first = yield* Effect.flip(log.append([entry(1, 2)]))
          expect(first.message).toMatch(/ENOSPC.*cutting the file back to byte \d+ failed too \(truncate .*: EIO: injected\): the log refuses every later write$/)
          const later = yield* Effect.flip(log.replaceFrom(1, []))
          expect(later.message).toBe(first.message)
          expect(log.lastIndex()).toBe(1)
        }), disk.layer)
      // The partial record is still there: a restart drops it as a torn tail.
      expect((yield* reopen(directory)).entries).toEqual([entry(1, 1)])
    }))

  it.effect("fsyncs the directories it creates and the directory of a new log file, before using it", () =>
    Effect.gen(function*() {
      const parent = freshDirectory()
      const directory = path.join(parent, "a", "b")
      const disk = new FaultyDisk()
      yield* withLog(directory, (log) => log.append([entry(1, 1)]), disk.layer)
      const marker = path.join(directory, "n2.had-log")
      expect(disk.calls.slice(0, 7)).toEqual([
        `create directory ${directory}`,
        `fsync directory ${parent}`,
        `fsync directory ${path.join(parent, "a")}`,
        `create ${marker}`,
        `create ${logFile(directory)}`,
        `fsync directory ${directory}`,
        `write ${firstWriteBytes} at 0`
      ])
      // The marker is marked after the first record is durable, and before that append returns.
      expect(disk.calls.slice(7)).toEqual(["fsync", "write 2 at 0", "fsync"])
      const again = new FaultyDisk()
      yield* withLog(directory, () => Effect.void, again.layer)
      expect(again.calls).toEqual([`create directory ${directory}`, `open ${marker}`, `open ${logFile(directory)}`])
    }))

  it.effect("a compaction the disk cannot take fails, and the log it would have replaced goes on whole", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      const disk = new FaultyDisk()
      yield* withLog(directory, (log) =>
        Effect.gen(function*() {
          yield* log.append([entry(1, 1), entry(1, 2), entry(1, 3)])
          disk.nextWrites.push({ fail: "ENOSPC" })
          const error = yield* Effect.flip(log.saveSnapshot({ lastIndex: 2, lastTerm: 1, data: "[[1,2]]" }))
          expect(error.message).toContain(`${logFile(directory)}.compacting`)
          expect(error.message).toContain("ENOSPC")
          expect([log.firstIndex(), log.lastIndex(), log.snapshot()]).toEqual([1, 3, null])
          yield* log.append([entry(1, 4)])
        }), disk.layer)
      expect(disk.calls.some((call) => call.startsWith("rename"))).toBe(false)
      expect((yield* reopen(directory)).entries).toEqual([entry(1, 1), entry(1, 2), entry(1, 3), entry(1, 4)])
    }))
})
