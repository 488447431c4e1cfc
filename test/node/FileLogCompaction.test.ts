import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Random } from "effect"
import { Disk } from "../../services/Disk.js"
import type { Snapshot } from "../../services/Log.js"
import { SimulatedDisk } from "../../sim/SimulatedDisk.js"
import { entry, freshDirectory, withCompactingLog, withLog } from "../support/fileLogs.js"

const snapshotAt = (lastIndex: number, lastTerm: number): Snapshot => ({ lastIndex, lastTerm, data: `[[1,${lastIndex}]]` })
const entries = (count: number) => Array.from({ length: count }, (_, i) => entry(1, i + 1))

/** What a reopened log holds: its snapshot, and its entries by index. */
const contents = (log: Parameters<Parameters<typeof withLog>[1]>[0]) => ({
  snapshot: log.snapshot(),
  firstIndex: log.firstIndex(),
  entries: log.slice(log.firstIndex(), log.lastIndex())
})

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
      const reopened = yield* withLog(directory, (log) => Effect.succeed(contents(log)))
      expect(reopened).toEqual({ snapshot: snapshotAt(3, 1), firstIndex: 4, entries: [entry(1, 4), entry(1, 5), entry(2, 6)] })
      expect(fs.readFileSync(file, "utf8")).not.toContain("\"value\":1}")
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
      expect(yield* withLog(directory, (log) => Effect.succeed(contents(log)))).toEqual({
        snapshot: snapshotAt(5, 2),
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
      expect(yield* withLog("/data", (log) => Effect.succeed(contents(log)), Layer.succeed(Disk, disk.shape))).toEqual({
        snapshot: snapshotAt(4, 1),
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
      expect(yield* withLog("/data", (log) => Effect.succeed(contents(log)), Layer.succeed(Disk, disk.shape))).toEqual({
        snapshot: snapshotAt(3, 1),
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
        const after = yield* withLog("/data", (log) => Effect.succeed(contents(log)), Layer.succeed(Disk, disk.shape))
        outcomes.add(after.firstIndex)
        expect(after.snapshot).toEqual(after.firstIndex === 1 ? null : snapshotAt(4, 1))
        expect(after.entries).toEqual(entries(6).slice(after.firstIndex - 1))
      }
      // Some crashes came before the rename was durable, some after.
      expect(outcomes).toEqual(new Set([1, 5]))
    }))
})
