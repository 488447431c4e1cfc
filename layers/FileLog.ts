import * as fs from "node:fs"
import * as path from "node:path"
import { Effect, Layer, Schema } from "effect"
import { type HardState, Log, LogError, type LogShape } from "../services/Log.js"
import { Network } from "../services/Network.js"
import { Entry } from "../src/protocol/raftMessages.js"
import { makeMemoryLog } from "./MemoryLog.js"

/**
 * One line of the log file. The file is append-only: the log and hard state
 * are what replaying every record in order gives.
 */
const LogRecord = Schema.Union(
  Schema.Struct({ append: Schema.Array(Entry) }),
  Schema.Struct({ truncate_from: Schema.Int }),
  Schema.Struct({
    hard_state: Schema.Struct({
      term: Schema.Int,
      votedFor: Schema.NullOr(Schema.String),
      // Absent in files written before the field existed: not caught up, the safe side.
      caughtUp: Schema.optionalWith(Schema.Boolean, { default: () => false })
    })
  })
)
type LogRecord = typeof LogRecord.Type
const LogRecordFromJson = Schema.parseJson(LogRecord)
const decodeRecord = Schema.decodeUnknownEither(LogRecordFromJson)
const encodeRecord = Schema.encodeSync(LogRecordFromJson)

const ioError = (what: string) => (error: unknown) =>
  new LogError({ reason: `${what}: ${error instanceof Error ? error.message : String(error)}` })

/** What replaying a file gives, and how many of its bytes were whole records. */
interface Recovered {
  readonly entries: Array<Entry>
  readonly hardState: HardState
  readonly validBytes: number
}

/**
 * Replays the records of a log file. A last line without its newline (a
 * write cut short by a crash) is a torn tail: it was never acknowledged, so
 * it is dropped. A bad record anywhere else is corruption and stops the node.
 */
export const recoverLogFile = (contents: string, file: string): Effect.Effect<Recovered, LogError> =>
  Effect.gen(function*() {
    const entries: Array<Entry> = []
    let hardState: HardState = { term: 0, votedFor: null, caughtUp: false }
    let offset = 0
    while (offset < contents.length) {
      const end = contents.indexOf("\n", offset)
      if (end === -1) break
      const decoded = decodeRecord(contents.slice(offset, end))
      if (decoded._tag === "Left") {
        return yield* new LogError({ reason: `${file}: corrupt record at byte ${offset}` })
      }
      const record: LogRecord = decoded.right
      if ("append" in record) entries.push(...record.append)
      else if ("truncate_from" in record) entries.splice(Math.max(record.truncate_from, 1) - 1)
      else hardState = record.hard_state
      offset = end + 1
    }
    return { entries, hardState, validBytes: Buffer.byteLength(contents.slice(0, offset)) }
  })

/**
 * A durable Log: every change is appended to `<dir>/<node id>.log` and
 * fsynced before the call returns, so nothing the node has replied about is
 * lost to a crash. Entries are also kept in memory for reads.
 */
export const FileLog = (directory: string) =>
  Layer.scoped(
    Log,
    Effect.gen(function*() {
      const { self } = yield* Network
      const file = path.resolve(directory, `${self}.log`)
      yield* Effect.try({ try: () => fs.mkdirSync(directory, { recursive: true }), catch: ioError(`creating ${directory}`) })
      const contents = yield* Effect.try({
        try: () => (fs.existsSync(file) ? fs.readFileSync(file, "utf8") : ""),
        catch: ioError(`reading ${file}`)
      })
      const recovered = yield* recoverLogFile(contents, file)
      const fd = yield* Effect.acquireRelease(
        Effect.try({
          try: () => {
            const fd = fs.openSync(file, "a+")
            fs.ftruncateSync(fd, recovered.validBytes)
            return fd
          },
          catch: ioError(`opening ${file}`)
        }),
        (fd) => Effect.sync(() => fs.closeSync(fd))
      )
      yield* Effect.logInfo(`log ${file}: ${recovered.entries.length} entries, term ${recovered.hardState.term}`)

      const persist = (record: LogRecord) =>
        Effect.try({
          try: () => {
            fs.writeSync(fd, `${encodeRecord(record)}\n`)
            fs.fsyncSync(fd)
          },
          catch: ioError(`writing ${file}`)
        })
      // Reads come from memory; every change is on disk before it is in memory.
      const memory = makeMemoryLog({ entries: recovered.entries, hardState: recovered.hardState })
      const log: LogShape = {
        ...memory,
        saveHardState: (state) => Effect.zipRight(persist({ hard_state: state }), memory.saveHardState(state)),
        append: (entries) => Effect.zipRight(persist({ append: entries }), memory.append(entries)),
        truncateFrom: (index) => Effect.zipRight(persist({ truncate_from: index }), memory.truncateFrom(index))
      }
      return log
    })
  )
