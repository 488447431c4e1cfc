import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { encodeLogRecord } from "../../layers/logRecordCodec.js"
import { NodeDisk } from "../../layers/NodeDisk.js"
import type { Log } from "../../services/Log.js"
import { entry, freshDirectory, loneNode, withLog } from "../support/fileLogs.js"

const logFile = (directory: string) => path.join(directory, "n2.log")

/** What a reopened log holds. */
const contents = (log: Log["Type"]) =>
  Effect.succeed({ hard: log.hardState(), snapshot: log.snapshot(), entries: log.slice(log.firstIndex(), log.lastIndex()) })

describe("the durable file log of a lone node, which has nobody to repair it from", () => {
  const alone = (directory: string) => withLog(directory, contents, NodeDisk, {}, loneNode)

  it.effect("refuses to start on a lost log: an emptied file beside the marker that says it had one", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      const file = logFile(directory)
      yield* withLog(directory, (log) => log.append([entry(1, 1)]), NodeDisk, {}, loneNode)
      fs.writeFileSync(file, "")
      const error = yield* Effect.flip(alone(directory))
      expect(error.message).toMatch(new RegExp(`^${file} is empty \\(byte 0\\) but ${path.join(directory, "n2.had-log")} says this node had a log; this node is alone`))
    }))

  it.effect("refuses to start when its hard state says it lost records no leader has replaced", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      // Written as a member of a larger cluster, which had not caught it up yet.
      yield* withLog(directory, (log) => log.saveHardState({ term: 2, votedFor: null, caughtUp: false }))
      const error = yield* Effect.flip(alone(directory))
      expect(error.message).toMatch(new RegExp(`^${logFile(directory)}: its hard state says this node lost records .*\\(caughtUp false\\); this node is alone`))
    }))

  it.effect("starts as usual after a crash tore its last record: that record was never acknowledged", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      yield* withLog(directory, (log) => log.append([entry(1, 1)]), NodeDisk, {}, loneNode)
      fs.appendFileSync(logFile(directory), encodeLogRecord({ append: [entry(1, 2)] }).subarray(0, 30))
      expect((yield* alone(directory)).entries).toEqual([entry(1, 1)])
    }))
})
