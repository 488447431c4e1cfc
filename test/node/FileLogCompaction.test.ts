import * as fs from "node:fs"
import * as path from "node:path"
import * as zlib from "node:zlib"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Random } from "effect"
import { Disk } from "../../services/Disk.js"
import { SimulatedDisk } from "../../sim/SimulatedDisk.js"
import { entry, freshDirectory, newSnapshot, readSnapshot, withCompactingLog, withLog } from "../support/fileLogs.js"

const snapshotAt = (lastIndex: number, lastTerm: number) => newSnapshot(lastIndex, lastTerm, `[[1,${lastIndex}]]`)
/** The snapshot `snapshotAt` saves, as read back. */
const storedAt = (lastIndex: number, lastTerm: number) => ({ lastIndex, lastTerm, chunks: [`[[1,${lastIndex}]]`] })
const entries = (count: number) => Array.from({ length: count }, (_, i) => entry(1, i + 1))

/** What a reopened log holds: its snapshot, and its entries by index. */
const contents = (log: Parameters<Parameters<typeof withLog>[1]>[0]) =>
  Effect.map(readSnapshot(log), (snapshot) => ({
    snapshot,
    firstIndex: log.firstIndex(),
    entries: log.slice(log.firstIndex(), log.lastIndex())
  }))

describe("compacting the file log", () => {
  it.effect("reopens as its snapshot and the entries after it, from a file that holds nothing older", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      const file = path.join(directory, "n2.log")
      yield* withCompactingLog(directory, (log, compacted) =>
        Effect.gen(function*() {
          yield* log.append(entries(5))
          yield* log.durable
          const before = fs.statSync(file).size
          yield* log.saveSnapshot(snapshotAt(3, 1))
          yield* compacted
          expect(fs.statSync(file).size).toBeLessThan(before)
          yield* log.append([entry(2, 6)])
          yield* log.durable
          expect(log.termAt(3)).toBe(1)
          expect(log.entryAt(3)).toBeUndefined()
        }))
      const reopened = yield* withLog(directory, contents)
      expect(reopened).toEqual({ snapshot: storedAt(3, 1), firstIndex: 4, entries: [entry(1, 4), entry(1, 5), entry(2, 6)] })
      expect(fs.readFileSync(file, "utf8")).not.toContain("\"value\":1}")
    }))

  it.effect("loads a file of format 1, whose snapshot is the whole state as one string, and reads it back as one chunk", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      // Written by hand as the version before chunked snapshots wrote it.
      const line = (json: string) => `${zlib.crc32(json).toString(16).padStart(8, "0")} ${json}\n`
      fs.writeFileSync(
        path.join(directory, "n2.log"),
        line("{\"log_format\":1}") +
          line(JSON.stringify({ snapshot: { last_index: 3, last_term: 1, data: "[[1,3],[2,\"b\"]]" } })) +
          line(JSON.stringify({ hard_state: { term: 2, votedFor: "n1", caughtUp: true } })) +
          line(JSON.stringify({ append: [entry(2, 4)] }))
      )
      fs.writeFileSync(path.join(directory, "n2.had-log"), "1\n")
      const reopened = yield* withLog(directory, contents)
      expect(reopened).toEqual({ snapshot: { lastIndex: 3, lastTerm: 1, chunks: ["[[1,3],[2,\"b\"]]"] }, firstIndex: 4,
        entries: [entry(2, 4)] })
      // Its next compaction writes a file of format 2, the new snapshot in chunk records.
      yield* withCompactingLog(directory, (log, compacted) =>
        Effect.gen(function*() {
          yield* log.append([entry(2, 5)])
          yield* log.saveSnapshot(newSnapshot(4, 2, "[[1,3]]", "[[2,\"b\"],[3,4]]"))
          yield* compacted
        }))
      expect(fs.readFileSync(path.join(directory, "n2.log"), "utf8")).toMatch(
        /^[0-9a-f]{8} \{"log_format":2\}\n[0-9a-f]{8} \{"snapshot_chunk":\[\[1,3\]\]\}\n/
      )
      expect(yield* withLog(directory, contents)).toEqual({
        snapshot: { lastIndex: 4, lastTerm: 2, chunks: ["[[1,3]]", "[[2,\"b\"],[3,4]]"] },
        firstIndex: 5,
        entries: [entry(2, 5)]
      })
    }))

  it.effect("a leader's snapshot that this log does not match replaces the whole log; an older one changes nothing", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      yield* withLog(directory, (log) =>
        Effect.gen(function*() {
          yield* log.append(entries(3))
          yield* log.durable
          yield* log.saveSnapshot(snapshotAt(5, 2))
          yield* log.durable
          yield* log.saveSnapshot(snapshotAt(4, 2))
          yield* log.durable
        }))
      expect(yield* withLog(directory, contents)).toEqual({
        snapshot: storedAt(5, 2),
        firstIndex: 6,
        entries: []
      })
    }))

  it.live("an append made while a compaction is under way is durable at once, and lands in the compacted file", () =>
    Effect.gen(function*() {
      const disk = new SimulatedDisk({ min: 2, max: 2 })
      const holdsSnapshot = () => new TextDecoder().decode(disk.contents("/data/n2.log")).includes(`{"snapshot":`)
      yield* withCompactingLog("/data", (log, compacted) =>
        Effect.gen(function*() {
          yield* log.append(entries(4))
          yield* log.durable
          yield* log.saveSnapshot(snapshotAt(4, 1))
          yield* Effect.sleep(1)
          yield* log.append([entry(1, 5)])
          // Written to the old file while the compaction is written beside it: it waits for no compaction.
          yield* log.durable
          expect(holdsSnapshot()).toBe(false)
          yield* compacted
        }), Layer.succeed(Disk, disk.shape))
      expect(yield* withLog("/data", contents, Layer.succeed(Disk, disk.shape))).toEqual({
        snapshot: storedAt(4, 1),
        firstIndex: 5,
        entries: [entry(1, 5)]
      })
    }))

  it.live("a compaction asked for while another is under way keeps the records appended after it was asked for", () =>
    Effect.gen(function*() {
      const disk = new SimulatedDisk({ min: 2, max: 2 })
      yield* withCompactingLog("/data", (log, compacted) =>
        Effect.gen(function*() {
          yield* log.append(entries(4))
          yield* log.durable
          yield* log.saveSnapshot(snapshotAt(2, 1))
          yield* Effect.sleep(1)
          // Asked for while the first runs: it waits, and the append after it must land in its file too.
          yield* log.saveSnapshot(snapshotAt(3, 1))
          yield* log.append([entry(1, 5)])
          yield* log.durable
          yield* compacted
          yield* compacted
        }), Layer.succeed(Disk, disk.shape))
      expect(yield* withLog("/data", contents, Layer.succeed(Disk, disk.shape))).toEqual({
        snapshot: storedAt(3, 1),
        firstIndex: 4,
        entries: [entry(1, 4), entry(1, 5)]
      })
    }))

  it.live("a crash at any moment of a compaction leaves the old log or the new one, every acknowledged entry in either", () =>
    Effect.gen(function*() {
      const outcomes = new Set<number>()
      for (let seed = 1; seed <= 24; seed++) {
        const disk = new SimulatedDisk({ min: 1, max: 3 })
        yield* withLog("/data", (log) =>
          Effect.gen(function*() {
            yield* log.append(entries(6))
            yield* log.durable
            yield* log.saveSnapshot(snapshotAt(4, 1))
            // The machine loses power somewhere in the compaction's writes, fsyncs, rename and directory fsync.
            yield* Effect.sleep(seed % 12)
            yield* disk.crash
          }), Layer.succeed(Disk, disk.shape)).pipe(Effect.withRandom(Random.make(seed)))
        const after = yield* withLog("/data", contents, Layer.succeed(Disk, disk.shape))
        outcomes.add(after.firstIndex)
        expect(after.snapshot).toEqual(after.firstIndex === 1 ? null : storedAt(4, 1))
        expect(after.entries).toEqual(entries(6).slice(after.firstIndex - 1))
      }
      // Some crashes came before the rename was durable, some after.
      expect(outcomes).toEqual(new Set([1, 5]))
    }))
})
