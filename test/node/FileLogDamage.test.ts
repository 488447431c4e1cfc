import * as fs from "node:fs"
import * as path from "node:path"
import * as zlib from "node:zlib"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Logger } from "effect"
import { encodeLogRecord } from "../../layers/logRecordCodec.js"
import { NodeDisk } from "../../layers/NodeDisk.js"
import type { Log } from "../../services/Log.js"
import { entry, freshDirectory, loneNode, newSnapshot, withCompactingLog, withLog } from "../support/fileLogs.js"

const logFile = (directory: string) => path.join(directory, "n2.log")

/** What a reopened log holds. */
const contents = (log: Log["Type"]) =>
  Effect.succeed({ hard: log.hardState(), snapshot: log.snapshot(), entries: log.slice(log.firstIndex(), log.lastIndex()) })

/** Changes the first `from` in the file to `to` (same length), as a disk's damage would; returns the damaged record's offset. */
const damage = (file: string, from: string, to: string): number => {
  const bytes = fs.readFileSync(file)
  const at = bytes.indexOf(from)
  expect(at).toBeGreaterThan(0)
  bytes.write(to, at)
  fs.writeFileSync(file, bytes)
  return bytes.lastIndexOf("\n", at) + 1
}

/** Runs `effect` and returns its result with the messages it logged. */
const logging = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    const lines: Array<string> = []
    const capture = Logger.replace(Logger.defaultLogger, Logger.make(({ message }) => void lines.push(String(message))))
    const result = yield* Effect.provide(effect, capture)
    return { result, lines }
  })

describe("the durable file log, damaged", () => {
  it.effect("keeps the records before a damaged one, holds no vote, says where and what, and keeps the file as found", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      const file = logFile(directory)
      yield* withLog(directory, (log) =>
        Effect.gen(function*() {
          yield* log.saveHardState({ term: 2, votedFor: "n1", caughtUp: true })
          yield* log.append([entry(2, 1)])
          yield* log.append([entry(2, 12345)])
          yield* log.append([entry(2, 3)])
        }))
      const offset = damage(file, "12345", "12375")
      const found = fs.readFileSync(file)

      const { lines, result } = yield* logging(withLog(directory, contents))
      expect(result).toEqual({ hard: { term: 2, votedFor: "n1", caughtUp: false }, snapshot: null, entries: [entry(2, 1)] })
      const copy = `${file}.corrupt-${offset}`
      expect(lines).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^${file}: corrupt record at byte ${offset}: checksum: the line says [0-9a-f]{8}, its content gives [0-9a-f]{8}; ` +
              `keeping the log before it \\(entries up to 1\\) and taking everything from it on as lost: ` +
              `no vote until a leader catches this node up; the file as found is kept as ${copy}$`
          )
        )
      )
      expect(fs.readFileSync(copy)).toEqual(found)

      // The repair is durable: the next start finds a sound file, still not caught up, and appends after the good prefix.
      const again = yield* logging(withLog(directory, (log) => Effect.zipRight(log.append([entry(3, 4)]), contents(log))))
      expect(again.result.hard.caughtUp).toBe(false)
      expect(again.lines.filter((line) => line.includes("corrupt"))).toEqual([])
      expect((yield* withLog(directory, contents)).entries).toEqual([entry(2, 1), entry(3, 4)])
    }))

  it.effect("a damaged hard state: the node takes the highest term a sound later record names, and holds its own vote in it", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      yield* withLog(directory, (log) =>
        Effect.gen(function*() {
          yield* log.saveHardState({ term: 1, votedFor: "n1", caughtUp: true })
          yield* log.append([entry(1, 1)])
          yield* log.saveHardState({ term: 4, votedFor: "n3", caughtUp: true })
          yield* log.append([entry(4, 2)])
        }))
      damage(logFile(directory), "\"n3\"", "\"n1\"")
      // It may have voted for anyone in term 4: it must not vote for anyone else in that term.
      expect(yield* withLog(directory, contents)).toEqual({
        hard: { term: 4, votedFor: "n2", caughtUp: false },
        snapshot: null,
        entries: [entry(1, 1)]
      })
    }))

  it.effect("a damaged record that nothing sound follows: a vote of the last known term it does not know is its own", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      yield* withLog(directory, (log) =>
        Effect.gen(function*() {
          yield* log.saveHardState({ term: 3, votedFor: null, caughtUp: true })
          yield* log.saveHardState({ term: 3, votedFor: "n1", caughtUp: true })
        }))
      damage(logFile(directory), "\"n1\"", "\"n3\"")
      expect((yield* withLog(directory, contents)).hard).toEqual({ term: 3, votedFor: "n2", caughtUp: false })
    }))

  it.effect("a damaged snapshot in a compacted file: everything is lost, and the node holds no vote", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      yield* withCompactingLog(directory, (log, compacted) =>
        Effect.gen(function*() {
          yield* log.saveHardState({ term: 5, votedFor: "n3", caughtUp: true })
          yield* log.append([entry(5, 1), entry(5, 2), entry(5, 3)])
          yield* log.saveSnapshot(newSnapshot(2, 5, "[[1,2]]"))
          yield* compacted
        }))
      const offset = damage(logFile(directory), "[[1,2]]", "[[1,7]]")
      const { lines, result } = yield* logging(withLog(directory, contents))
      // Only the header came before it; the hard state after it names term 5.
      expect(result).toEqual({ hard: { term: 5, votedFor: "n2", caughtUp: false }, snapshot: null, entries: [] })
      expect(lines).toContainEqual(expect.stringContaining(`corrupt record at byte ${offset}: checksum`))
    }))

  it.effect("a damaged record of a format 0 file (no checksums) that no longer decodes is handled the same way", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      const file = logFile(directory)
      fs.writeFileSync(file, "{\"hard_state\":{\"term\":2,\"votedFor\":null}}\n{\"append\":[{\"te\n{\"append\":[]}\n")
      fs.writeFileSync(path.join(directory, "n2.had-log"), "1\n")
      const { lines, result } = yield* logging(withLog(directory, contents))
      expect(result).toEqual({ hard: { term: 2, votedFor: "n2", caughtUp: false }, snapshot: null, entries: [] })
      expect(lines).toContainEqual(expect.stringContaining(`${file}: corrupt record at byte 42: `))
      expect(fs.readFileSync(`${file}.corrupt-42`, "utf8")).toContain("{\"append\":[{\"te\n")
    }))

  it.effect("refuses a file of a newer format, and leaves it as it is", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      const file = logFile(directory)
      const json = "{\"log_format\":3}"
      const newer = `${zlib.crc32(json).toString(16).padStart(8, "0")} ${json}\nwhatever format 3 holds\n`
      fs.writeFileSync(file, newer)
      const error = yield* Effect.flip(withLog(directory, contents))
      expect(error.message).toBe(
        `${file}: written in log format 3 (header at byte 0, field log_format); this version reads files without a header (format 0) and of formats 1 and 2`
      )
      expect(fs.readFileSync(file, "utf8")).toBe(newer)
    }))
})

describe("the durable file log of a lone node, which has nobody to repair it from", () => {
  const alone = (directory: string) => withLog(directory, contents, NodeDisk, {}, loneNode)

  it.effect("refuses to start on a damaged record, naming the file and the byte, and leaves the file as it is", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      const file = logFile(directory)
      yield* withLog(directory, (log) => log.append([entry(1, 12345), entry(1, 2)]), NodeDisk, {}, loneNode)
      yield* withLog(directory, (log) => log.append([entry(1, 3)]), NodeDisk, {}, loneNode)
      const offset = damage(file, "12345", "12375")
      const found = fs.readFileSync(file)
      const error = yield* Effect.flip(alone(directory))
      expect(error.message).toMatch(
        new RegExp(
          `^${file}: corrupt record at byte ${offset}: checksum: the line says [0-9a-f]{8}, its content gives [0-9a-f]{8}; ` +
            "this node is alone in its cluster, so no other node can repair its log: " +
            "it refuses to start rather than serve what it cannot vouch for, and leaves its files as they are$"
        )
      )
      expect(fs.readFileSync(file)).toEqual(found)
      expect(fs.readdirSync(directory).sort()).toEqual(["n2.had-log", "n2.log"])
    }))

  it.effect("refuses to start on a lost log: an emptied file beside the marker that says it had one", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      const file = logFile(directory)
      yield* withLog(directory, (log) => log.append([entry(1, 1)]), NodeDisk, {}, loneNode)
      fs.writeFileSync(file, "")
      const error = yield* Effect.flip(alone(directory))
      expect(error.message).toMatch(
        new RegExp(`^${file} is empty \\(byte 0\\) but ${path.join(directory, "n2.had-log")} says this node had a log; this node is alone`)
      )
    }))

  it.effect("refuses to start when its hard state says it lost records no leader has replaced", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      // Written as a member of a larger cluster, which had not caught it up yet.
      yield* withLog(directory, (log) => log.saveHardState({ term: 2, votedFor: null, caughtUp: false }))
      const error = yield* Effect.flip(alone(directory))
      expect(error.message).toMatch(
        new RegExp(`^${logFile(directory)}: its hard state says this node lost records .*\\(caughtUp false\\); this node is alone`)
      )
    }))

  it.effect("starts as usual after a crash tore its last record: that record was never acknowledged", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      yield* withLog(directory, (log) => log.append([entry(1, 1)]), NodeDisk, {}, loneNode)
      fs.appendFileSync(logFile(directory), encodeLogRecord({ append: [entry(1, 2)] }).subarray(0, 30))
      expect((yield* alone(directory)).entries).toEqual([entry(1, 1)])
    }))
})
