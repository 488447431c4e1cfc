import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { encodeLogRecord, logFormatHeader } from "../../layers/logRecordCodec.js"
import { FaultyDisk } from "../support/FaultyDisk.js"
import { entry, freshDirectory, newSnapshot, withLog } from "../support/fileLogs.js"

const logFile = (directory: string) => path.join(directory, "n2.log")
/** The size of the record that appends one of these entries. */
const recordBytes = encodeLogRecord({ append: [entry(1, 1)] }).length
/** The size of a new file's first write: the format header and the first record. */
const firstWriteBytes = logFormatHeader.length + recordBytes

/** What a restart finds, read with the machine's own disk. */
const reopen = (directory: string) =>
  withLog(directory, (log) => Effect.succeed({ hard: log.hardState(), entries: log.slice(1, log.lastIndex()) }))

describe("the durable file log on a failing disk", () => {
  it.effect("writes the rest of a record after short writes, and only then calls it durable", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      const disk = new FaultyDisk()
      yield* withLog(directory, (log) =>
        Effect.gen(function*() {
          disk.nextWrites.push({ writeOnly: 5 }, { writeOnly: 3 })
          yield* log.append([entry(1, 1)])
          yield* log.durable
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

  it.effect("a write the disk cannot take fails the log for good and leaves no partial record: a restart finds what was durable", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      const disk = new FaultyDisk()
      const wholeSize = yield* withLog(directory, (log) =>
        Effect.gen(function*() {
          yield* log.append([entry(1, 1)])
          yield* log.durable
          const size = fs.statSync(logFile(directory)).size
          disk.nextWrites.push({ writeOnly: 10 }, { fail: "ENOSPC" })
          yield* log.append([entry(1, 2)])
          const error = yield* Effect.flip(log.durable)
          expect(error.message).toBe(
            `appending a record of ${recordBytes} bytes to ${logFile(directory)} at byte ${size} failed: ` +
              `write ${logFile(directory)}: ENOSPC: injected; the file was cut back to its last whole record (byte ${size})`
          )
          expect(yield* Effect.flip(log.failure)).toBe(error)
          expect(fs.statSync(logFile(directory)).size).toBe(size)
          // Nothing more reaches the disk, and nothing waiting for it is told it did.
          let told = false
          yield* log.append([entry(1, 3)])
          yield* log.whenDurable(Effect.sync(() => void (told = true)))
          yield* Effect.yieldNow()
          expect(told).toBe(false)
          return size
        }), disk.layer)
      expect(disk.calls).toContain(`truncate ${wholeSize}`)
      expect((yield* reopen(directory)).entries).toEqual([entry(1, 1)])
    }))

  it.effect("a write whose fsync fails fails the log, and is cut off", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      const disk = new FaultyDisk()
      yield* withLog(directory, (log) =>
        Effect.gen(function*() {
          yield* log.saveHardState({ term: 1, votedFor: null, caughtUp: false })
          yield* log.durable
          disk.nextFsyncs.push("EIO")
          yield* log.saveHardState({ term: 2, votedFor: "n1", caughtUp: false })
          const error = yield* Effect.flip(log.durable)
          expect(error.message).toContain(`fsync ${logFile(directory)}: EIO`)
        }), disk.layer)
      expect(yield* reopen(directory)).toEqual({ hard: { term: 1, votedFor: null, caughtUp: false }, entries: [] })
    }))

  it.effect("a failed write that cannot be cut off fails the log, and a restart still finds what was durable", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      const disk = new FaultyDisk()
      yield* withLog(directory, (log) =>
        Effect.gen(function*() {
          yield* log.append([entry(1, 1)])
          yield* log.durable
          disk.nextWrites.push({ writeOnly: 10 }, { fail: "ENOSPC" })
          disk.nextTruncates.push("EIO")
          yield* log.append([entry(1, 2)])
          const error = yield* Effect.flip(log.durable)
          expect(error.message).toMatch(
            /ENOSPC.*cutting the file back to byte \d+ failed too \(truncate .*: EIO: injected\): the log refuses every later write$/
          )
        }), disk.layer)
      // The partial record is still there: a restart drops it as a torn tail.
      expect((yield* reopen(directory)).entries).toEqual([entry(1, 1)])
    }))

  it.effect("fsyncs the directories it creates and the directory of a new log file, before using it", () =>
    Effect.gen(function*() {
      const parent = freshDirectory()
      const directory = path.join(parent, "a", "b")
      const disk = new FaultyDisk()
      yield* withLog(directory, (log) => Effect.zipRight(log.append([entry(1, 1)]), log.durable), disk.layer)
      const marker = path.join(directory, "n2.had-log")
      expect(disk.calls.slice(0, 8)).toEqual([
        `create directory ${directory}`,
        `fsync directory ${parent}`,
        `fsync directory ${path.join(parent, "a")}`,
        `create ${marker}`,
        `create ${logFile(directory)}`,
        `fsync directory ${directory}`,
        // Whatever the file holds at start is made durable (see the restart below).
        "fsync",
        `write ${firstWriteBytes} at 0`
      ])
      // The marker is marked after the first record is durable, and before that record counts as durable.
      expect(disk.calls.slice(8)).toEqual(["fsync", "write 2 at 0", "fsync"])
      // A restart fsyncs what it read before anything is acknowledged on it: bytes a failed fsync (EIO) left
      // written but not durable read back as if they were.
      const again = new FaultyDisk()
      yield* withLog(directory, () => Effect.void, again.layer)
      expect(again.calls).toEqual([`create directory ${directory}`, `open ${marker}`, `open ${logFile(directory)}`, "fsync"])
    }))

  it.effect("a compaction the disk cannot take fails the log, and the file it would have replaced stays whole", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      const disk = new FaultyDisk()
      yield* withLog(directory, (log) =>
        Effect.gen(function*() {
          yield* log.append([entry(1, 1), entry(1, 2), entry(1, 3)])
          yield* log.durable
          disk.nextWrites.push({ fail: "ENOSPC" })
          yield* log.saveSnapshot(newSnapshot(2, 1, "[[1,2]]"))
          const error = yield* Effect.flip(log.failure)
          expect(error.message).toContain(`${logFile(directory)}.compacting`)
          expect(error.message).toContain("ENOSPC")
        }), disk.layer)
      expect(disk.calls.some((call) => call.startsWith("rename"))).toBe(false)
      expect((yield* reopen(directory)).entries).toEqual([entry(1, 1), entry(1, 2), entry(1, 3)])
    }))
})
