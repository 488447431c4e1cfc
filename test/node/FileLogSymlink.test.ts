import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { entry, freshDirectory, newSnapshot, withCompactingLog, withLog } from "../support/fileLogs.js"

const snapshotAt = (lastIndex: number, lastTerm: number) => newSnapshot(lastIndex, lastTerm, `[[1,${lastIndex}]]`)

describe("a log file that is a symbolic link", () => {
  it.effect("is followed when its target does not exist yet: the log is created there", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      const elsewhere = freshDirectory()
      const target = path.join(elsewhere, "logs", "n2.log")
      fs.symlinkSync(target, path.join(directory, "n2.log"))
      yield* withLog(directory, (log) => Effect.zipRight(log.append([entry(1, 1)]), log.durable))
      expect(fs.lstatSync(path.join(directory, "n2.log")).isSymbolicLink()).toBe(true)
      expect(fs.readFileSync(target, "utf8")).toContain("\"append\"")
      const reopened = yield* withLog(directory, (log) => Effect.succeed(log.slice(1, log.lastIndex())))
      expect(reopened).toEqual([entry(1, 1)])
    }))

  it.effect("stays a link through a compaction, which replaces the file it names (through a chain of links, relative ones too)", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      const elsewhere = freshDirectory()
      const target = path.join(elsewhere, "n2.log")
      fs.symlinkSync("n2.log", path.join(elsewhere, "middle.log"))
      fs.symlinkSync(path.join(elsewhere, "middle.log"), path.join(directory, "n2.log"))
      yield* withCompactingLog(directory, (log, compacted) =>
        Effect.gen(function*() {
          yield* log.append([entry(1, 1), entry(1, 2), entry(1, 3)])
          yield* log.durable
          yield* log.saveSnapshot(snapshotAt(2, 1))
          yield* compacted
          yield* log.append([entry(2, 4)])
          yield* log.durable
        }))
      expect(fs.lstatSync(path.join(directory, "n2.log")).isSymbolicLink()).toBe(true)
      expect(fs.lstatSync(path.join(elsewhere, "middle.log")).isSymbolicLink()).toBe(true)
      expect(fs.existsSync(path.join(directory, "n2.log.compacting"))).toBe(false)
      const onDisk = fs.readFileSync(target, "utf8")
      expect(onDisk).toContain("\"snapshot\"")
      expect(onDisk).toContain("\"term\":2")
      const reopened = yield* withLog(directory, (log) =>
        Effect.succeed({ snapshot: log.snapshot()?.lastIndex, entries: log.slice(log.firstIndex(), log.lastIndex()) }))
      expect(reopened).toEqual({ snapshot: 2, entries: [entry(1, 3), entry(2, 4)] })
    }))

  it.effect("a loop of links is refused at start, naming the file", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      fs.symlinkSync(path.join(directory, "other.log"), path.join(directory, "n2.log"))
      fs.symlinkSync(path.join(directory, "n2.log"), path.join(directory, "other.log"))
      const failure = yield* Effect.flip(withLog(directory, () => Effect.void))
      expect(failure.message).toContain(`following ${path.join(directory, "n2.log")}`)
    }))
})
