import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { FileLog, recoverLogFile } from "../../layers/FileLog.js"
import { Log } from "../../services/Log.js"
import { Network, type NetworkShape } from "../../services/Network.js"
import type { Entry } from "../../src/protocol/raftMessages.js"

const entry = (term: number, value: number): Entry => ({ term, command: { type: "write", key: 1, value } })

/** The FileLog only asks the network who it is. */
const asNode = (self: string) => Layer.succeed(Network, { self } as NetworkShape)

const withLog = <A, E>(directory: string, use: (log: Log["Type"]) => Effect.Effect<A, E>) =>
  Effect.scoped(Effect.flatMap(Log, use).pipe(Effect.provide(FileLog(directory).pipe(Layer.provide(asNode("n2"))))))

const freshDirectory = () => fs.mkdtempSync(path.join(os.tmpdir(), "filelog-"))

describe("the durable file log", () => {
  it.effect("brings back entries, truncations and the hard state after a restart", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      yield* withLog(directory, (log) =>
        Effect.gen(function*() {
          yield* log.saveHardState({ term: 2, votedFor: "n3", caughtUp: true })
          yield* log.append([entry(1, 1), entry(1, 2), entry(2, 3)])
          yield* log.truncateFrom(2)
          yield* log.append([entry(2, 4)])
        }))
      const reopened = yield* withLog(directory, (log) =>
        Effect.succeed({ hard: log.hardState(), entries: log.slice(1, log.lastIndex()) }))
      expect(reopened).toEqual({ hard: { term: 2, votedFor: "n3", caughtUp: true }, entries: [entry(1, 1), entry(2, 4)] })
    }))

  it.effect("drops a torn last record (a write cut short by a crash) and goes on appending after it", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      yield* withLog(directory, (log) => log.append([entry(1, 1)]))
      fs.appendFileSync(path.join(directory, "n2.log"), "{\"append\":[{\"term\":1,\"comm")
      yield* withLog(directory, (log) =>
        Effect.gen(function*() {
          expect(log.lastIndex()).toBe(1)
          yield* log.append([entry(1, 2)])
        }))
      const entries = yield* withLog(directory, (log) => Effect.succeed(log.slice(1, 10)))
      expect(entries).toEqual([entry(1, 1), entry(1, 2)])
    }))

  it.effect("refuses a file corrupted in the middle", () =>
    Effect.gen(function*() {
      const contents = "{\"append\":[]}\nnot a record\n{\"append\":[]}\n"
      const error = yield* Effect.flip(recoverLogFile(contents, "x.log"))
      expect(error.reason).toBe("x.log: corrupt record at byte 14")
    }))
})
