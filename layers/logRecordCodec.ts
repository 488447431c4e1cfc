import { Either, Schema } from "effect"
import { type HardState, LogError, type Snapshot } from "../services/Log.js"
import { describeParseError } from "../src/protocol/describeParseError.js"
import type { Entry as LogEntry } from "../services/Log.js"
import { Entry } from "../src/protocol/raftMessages.js"
import { appendEntries, emptyMemoryLogStorage, installSnapshot, type MemoryLogStorage, truncateEntries } from "./MemoryLog.js"

/**
 * The hard state as stored: one schema for the whole of it. A field added to
 * HardState fails to compile here until it is added here too (how it is
 * encoded, and its default in files written before it, is this schema's choice).
 */
const StoredHardState = Schema.Struct({
  term: Schema.Int,
  votedFor: Schema.NullOr(Schema.String),
  // Absent in files written before the field existed, by nodes that voted as any node does.
  caughtUp: Schema.optionalWith(Schema.Boolean, { default: () => true })
}) satisfies Schema.Schema<HardState, any>

const Index = Schema.Int.pipe(Schema.nonNegative())

/** A snapshot as stored. */
const StoredSnapshot = Schema.Struct({
  last_index: Index,
  last_term: Schema.Int,
  data: Schema.String
})

/**
 * One record of the log file, one JSON line each. The file is append-only
 * between compactions: the log and hard state are what replaying every record
 * in order gives (`replace_from` and `truncate_from` count from the start of
 * the whole log, the snapshot's entries included). A compacted file starts
 * with its snapshot. `replace_from` deletes from that index and appends its
 * `entries`, in one record so that one write and one fsync make both durable;
 * `truncate_from` (a deletion alone) is no longer written, but files written
 * before `replace_from` existed hold it and still replay.
 */
export const LogRecord = Schema.Union(
  Schema.Struct({ append: Schema.Array(Entry) }),
  Schema.Struct({ replace_from: Schema.Int, entries: Schema.Array(Entry) }),
  Schema.Struct({ truncate_from: Schema.Int }),
  Schema.Struct({ hard_state: StoredHardState }),
  Schema.Struct({ snapshot: StoredSnapshot })
)
export type LogRecord = typeof LogRecord.Type

/**
 * Files written before Raft's no-op became an entry without a command hold
 * it as the command `{"type":"noop"}`: read back as the no-op it was.
 */
const upgradeEntries = (entries: ReadonlyArray<LogEntry>): ReadonlyArray<LogEntry> =>
  entries.some(isOldNoop) ? entries.map((entry) => isOldNoop(entry) ? { term: entry.term } : entry) : entries

const isOldNoop = (entry: LogEntry): boolean => {
  const command = entry.command as { readonly type?: unknown } | undefined
  return typeof command === "object" && command !== null && command.type === "noop" && Object.keys(command).length === 1
}

const LogRecordFromJson = Schema.parseJson(LogRecord)
const decodeRecord = Schema.decodeUnknownEither(LogRecordFromJson)
const encodeRecord = Schema.encodeSync(LogRecordFromJson)
const newline = 0x0a
const textEncoder = new TextEncoder()
const strictUtf8 = new TextDecoder("utf-8", { fatal: true })

/** The bytes of one record: its JSON and a newline, which marks it whole. */
export const encodeLogRecord = (record: LogRecord): Uint8Array => textEncoder.encode(`${encodeRecord(record)}\n`)

/** The record that stands for a snapshot in a compacted file. */
export const snapshotRecord = (snapshot: Snapshot): LogRecord => ({
  snapshot: { last_index: snapshot.lastIndex, last_term: snapshot.lastTerm, data: snapshot.data }
})

/** What replaying a file gives. */
export interface RecoveredLog {
  /** The snapshot, entries and hard state. */
  readonly storage: MemoryLogStorage
  /** Bytes of whole records: where the next record goes. */
  readonly wholeBytes: number
  /** Bytes after the last whole record: a torn write, dropped. */
  readonly tornBytes: number
}

/**
 * Replays a log file fed in chunks of any size (a record may span chunks).
 * A last record without its newline is a torn write (cut short by a crash or
 * a failed write, never acknowledged): it is dropped. A record that does not
 * decode anywhere else is corruption, reported with the file and its byte offset.
 */
export interface LogReplay {
  readonly push: (chunk: Uint8Array) => Either.Either<void, LogError>
  readonly finish: () => RecoveredLog
}

export const makeLogReplay = (file: string): LogReplay => {
  const storage = emptyMemoryLogStorage()
  let wholeBytes = 0
  // The record begun in earlier chunks and not ended yet.
  let partial: Array<Uint8Array> = []
  let partialBytes = 0

  const apply = (bytes: Uint8Array): Either.Either<void, LogError> => {
    const corrupt = (problem: string) => Either.left(new LogError({ reason: `${file}: corrupt record at byte ${wholeBytes}: ${problem}` }))
    let text: string
    try {
      text = strictUtf8.decode(bytes)
    } catch {
      return corrupt("not UTF-8")
    }
    const decoded = decodeRecord(text)
    if (Either.isLeft(decoded)) return corrupt(describeParseError(decoded.left))
    const record = decoded.right
    if ("append" in record) appendEntries(storage, upgradeEntries(record.append))
    else if ("replace_from" in record) {
      truncateEntries(storage, record.replace_from)
      appendEntries(storage, upgradeEntries(record.entries))
    } else if ("truncate_from" in record) truncateEntries(storage, record.truncate_from)
    else if ("hard_state" in record) storage.hardState = record.hard_state
    else {
      const { data, last_index, last_term } = record.snapshot
      installSnapshot(storage, { lastIndex: last_index, lastTerm: last_term, data })
    }
    wholeBytes += bytes.length + 1
    return Either.void
  }

  const push = (chunk: Uint8Array): Either.Either<void, LogError> => {
    let start = 0
    for (let end = chunk.indexOf(newline); end !== -1; end = chunk.indexOf(newline, start)) {
      const piece = chunk.subarray(start, end)
      const record = partial.length === 0 ? piece : Buffer.concat([...partial, piece])
      partial = []
      partialBytes = 0
      const applied = apply(record)
      if (Either.isLeft(applied)) return applied
      start = end + 1
    }
    if (start < chunk.length) {
      partial.push(new Uint8Array(chunk.subarray(start))) // a copy: the reader may reuse its buffer
      partialBytes += chunk.length - start
    }
    return Either.void
  }

  return { push, finish: () => ({ storage, wholeBytes, tornBytes: partialBytes }) }
}
