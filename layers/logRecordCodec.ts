import * as zlib from "node:zlib"
import { Effect, Either, Schema } from "effect"
import { type HardState, LogError, type Snapshot, type SnapshotPlace } from "../services/Log.js"
import { describeParseError } from "../foundation/describeParseError.js"
import type { Entry as LogEntry } from "../services/Log.js"
import { Configuration, Entry } from "../src/protocol/raftMessages.js"
import {
  appendEntries,
  emptyMemoryLogStorage,
  installSnapshot,
  type MemoryLogStorage,
  memorySnapshot,
  truncateEntries
} from "./MemoryLog.js"

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

/**
 * A snapshot as stored. From format 2, its `chunks` are the `snapshot_chunk`
 * records right before it; in format 1 its `data` was the whole state as one
 * JSON text (still read: such files hold states small enough for one string).
 */
const StoredSnapshot = Schema.Struct({
  last_index: Index,
  last_term: Schema.Int,
  chunks: Schema.optional(Index),
  data: Schema.optional(Schema.String),
  // Absent in files written before configurations were kept: the cluster's first.
  config: Schema.optional(Configuration)
})

/**
 * One record of the log file. The file is append-only between compactions:
 * the log and hard state are what replaying every record in order gives
 * (`replace_from` and `truncate_from` count from the start of the whole log,
 * the snapshot's entries included). A compacted file starts with its
 * snapshot. `replace_from` deletes from that index and appends its `entries`,
 * in one record so that one write and one fsync make both durable;
 * `truncate_from` (a deletion alone) is no longer written, but files written
 * before `replace_from` existed hold it and still replay.
 */
export const LogRecord = Schema.Union(
  Schema.Struct({ append: Schema.Array(Entry) }),
  Schema.Struct({ replace_from: Schema.Int, entries: Schema.Array(Entry) }),
  Schema.Struct({ truncate_from: Schema.Int }),
  Schema.Struct({ hard_state: StoredHardState }),
  Schema.Struct({ snapshot: StoredSnapshot }),
  // One chunk of the snapshot that follows: an array of the state machine's snapshot items.
  Schema.Struct({ snapshot_chunk: Schema.Array(Schema.Unknown) })
)
export type LogRecord = typeof LogRecord.Type

/**
 * The file formats. 0: one JSON record per line, no header, no checksum
 * (files written before checksums; still read). 1: a first line naming the
 * format, then one record per line, each line its JSON's CRC32 as 8 lowercase
 * hex digits, a space, and the JSON. 2: as 1, with a snapshot written as
 * chunk records followed by the snapshot record naming how many (in 1, the
 * snapshot record held the whole state as one string; still read).
 */
export const currentLogFormat = 2
type LogFormat = 0 | 1 | 2
const readableFormats: ReadonlyArray<number> = [1, 2]
const FormatHeader = Schema.Struct({ log_format: Schema.Int })

const decodeRecord = Schema.decodeUnknownEither(Schema.parseJson(LogRecord))
const encodeRecord = Schema.encodeSync(Schema.parseJson(LogRecord))
const decodeHeader = Schema.decodeUnknownEither(Schema.parseJson(FormatHeader))

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

const newline = 0x0a
const openingBrace = 0x7b
/** The checksum's hex digits and the space after them. */
const checksumBytes = 9
const textEncoder = new TextEncoder()
const strictUtf8 = new TextDecoder("utf-8", { fatal: true })

const hex = (checksum: number) => checksum.toString(16).padStart(8, "0")

/** A line of format 1: the JSON text encoded once, its CRC32 written in front of it. */
const checkedLine = (json: string): Uint8Array => {
  const line = textEncoder.encode(`00000000 ${json}\n`)
  textEncoder.encodeInto(hex(zlib.crc32(line.subarray(checksumBytes, line.length - 1))), line)
  return line
}

/** The bytes of one record: its line, whose newline marks it whole. */
export const encodeLogRecord = (record: LogRecord): Uint8Array => checkedLine(encodeRecord(record))

/** The first line of every file this version writes. */
export const logFormatHeader: Uint8Array = checkedLine(JSON.stringify({ log_format: currentLogFormat }))

/** The record that ends a snapshot in a compacted file, after its `chunks` chunk records. */
export const snapshotRecord = (place: SnapshotPlace, chunks: number): LogRecord => ({
  snapshot: {
    last_index: place.lastIndex,
    last_term: place.lastTerm,
    chunks,
    ...(place.config === undefined ? {} : { config: place.config })
  }
})

const chunkPrefix = "{\"snapshot_chunk\":"

/** The line of one snapshot chunk (the JSON text of an array), written as it is: it is not parsed to be written. */
export const snapshotChunkLine = (text: string): Uint8Array => checkedLine(`${chunkPrefix}${text}}`)

/** Where a snapshot chunk's line is in its file: its first byte and its length, newline included. */
export interface ChunkPlace {
  readonly position: number
  readonly length: number
}

/** The chunk's text from its line as read back (newline included), its checksum verified; or what is wrong with it. */
export const snapshotChunkText = (line: Uint8Array): Either.Either<string, string> => {
  if (line.at(-1) !== newline) return Either.left("the line is cut short")
  return Either.flatMap(textOf(line.subarray(0, line.length - 1), 1), (text) =>
    text.startsWith(chunkPrefix) && text.endsWith("}")
      ? Either.right(text.slice(chunkPrefix.length, -1))
      : Either.left("not a snapshot_chunk record"))
}

/** A format 1 snapshot's one string as a chunk: the items of an array, or the whole value as one item. */
const chunkOfWhole = (data: string): string => data.startsWith("[") ? data : `[${data}]`

/** The highest term a record names: what it says about the terms its node had reached. */
const highestTermOf = (record: LogRecord): number => {
  if ("hard_state" in record) return record.hard_state.term
  if ("snapshot" in record) return record.snapshot.last_term
  if ("snapshot_chunk" in record) return 0
  const entries = "append" in record ? record.append : "entries" in record ? record.entries : []
  return entries.reduce((highest, entry) => Math.max(highest, entry.term), 0)
}

/** The JSON text of a line, its checksum verified in format 1, or what is wrong with it. */
const textOf = (line: Uint8Array, format: LogFormat): Either.Either<string, string> => {
  let json = line
  if (format !== 0) {
    const stored = String.fromCharCode(...line.subarray(0, checksumBytes))
    if (!/^[0-9a-f]{8} $/.test(stored)) return Either.left("checksum: missing (the line must start with 8 hex digits and a space)")
    json = line.subarray(checksumBytes)
    const computed = hex(zlib.crc32(json))
    if (computed !== stored.slice(0, 8)) return Either.left(`checksum: the line says ${stored.slice(0, 8)}, its content gives ${computed}`)
  }
  try {
    return Either.right(strictUtf8.decode(json))
  } catch {
    return Either.left("not UTF-8")
  }
}

/** One line as a record, or what is wrong with it. */
const recordOf = (line: Uint8Array, format: LogFormat): Either.Either<LogRecord, string> =>
  Either.flatMap(textOf(line, format), (text) => Either.mapLeft(decodeRecord(text), describeParseError))

/**
 * A whole line (its newline written) that fails its checksum or does not
 * decode: damage, not a crash, which only tears the last line short of its
 * newline. Everything from it on is lost to the node.
 */
export interface Corruption {
  /** Where the record starts: the bytes before it are the good prefix. */
  readonly offset: number
  readonly problem: string
  /**
   * The highest term named by a sound record after it (0 when none is): the
   * node reached at least that term, and may have voted in it.
   */
  readonly laterTerm: number
}

/** What replaying a file gives. */
export interface RecoveredLog {
  /** The snapshot, entries and hard state of the good prefix. */
  readonly storage: MemoryLogStorage
  /** The file's format; null when it holds no whole line. */
  readonly format: LogFormat | null
  /** Bytes of the good prefix: whole, sound records (and the header). */
  readonly wholeBytes: number
  /** Records in the good prefix, the header not counted. */
  readonly records: number
  /** Bytes after the last whole line: a torn write, dropped. */
  readonly tornBytes: number
  readonly corruption: Corruption | null
}

/**
 * Replays a log file fed in chunks of any size (a record may span chunks).
 * A last line without its newline is a torn write (cut short by a crash or a
 * failed write, never acknowledged): it is dropped. The first whole record
 * that fails its checksum or does not decode is corruption: replay keeps what
 * came before it, and of what follows only the terms that sound records name.
 * A file of a format this version does not know fails: it must not be taken
 * for damage and rewritten.
 */
export interface LogReplay {
  readonly push: (chunk: Uint8Array) => Either.Either<void, LogError>
  readonly finish: () => RecoveredLog
}

/** A snapshot found in a file of format 2, whose chunks are read from that file by whoever has it open. */
export type LocateSnapshot = (place: SnapshotPlace, chunks: ReadonlyArray<ChunkPlace>) => Snapshot

/** Without a file to read them from, the chunks of a replayed snapshot cannot be read. */
const unreadable: LocateSnapshot = (place) => ({
  ...place,
  chunk: () => Effect.dieMessage(`the snapshot of entries up to ${place.lastIndex} was replayed without its file`)
})

export const makeLogReplay = (file: string, locate: LocateSnapshot = unreadable): LogReplay => {
  const storage = emptyMemoryLogStorage()
  // The chunk records read since the last snapshot record: the next snapshot's.
  let chunks: Array<ChunkPlace> = []
  let format: LogFormat | null = null
  let corruption: Corruption | null = null
  let wholeBytes = 0
  let records = 0
  /** Where the next line starts. */
  let position = 0
  // The line begun in earlier chunks and not ended yet.
  let partial: Array<Uint8Array> = []
  let partialBytes = 0

  /** Applies a record that starts at byte `offset` and takes `length` bytes; or says why it cannot be. */
  const apply = (record: LogRecord, offset: number, length: number): string | undefined => {
    if ("snapshot_chunk" in record) chunks.push({ position: offset, length })
    else if ("append" in record) appendEntries(storage, upgradeEntries(record.append))
    else if ("replace_from" in record) {
      truncateEntries(storage, record.replace_from)
      appendEntries(storage, upgradeEntries(record.entries))
    } else if ("truncate_from" in record) truncateEntries(storage, record.truncate_from)
    else if ("hard_state" in record) storage.hardState = record.hard_state
    else {
      const { chunks: count, config, data, last_index, last_term } = record.snapshot
      const place: SnapshotPlace = { lastIndex: last_index, lastTerm: last_term, ...(config === undefined ? {} : { config }) }
      if (data !== undefined) installSnapshot(storage, memorySnapshot(place, [chunkOfWhole(data)]))
      else if (count === undefined || count < 1 || count !== chunks.length) {
        return `snapshot: it names ${String(count)} chunks, and ${chunks.length} chunk records come before it`
      } else installSnapshot(storage, locate(place, chunks))
      chunks = []
    }
    return undefined
  }

  /** The first line of a file of format 1: its header, which must name this format. */
  const readHeader = (line: Uint8Array): Either.Either<void, LogError> => {
    const header = Either.flatMap(textOf(line, 1),
      (text) => Either.mapLeft(decodeHeader(text), (error) => `header: ${describeParseError(error)}`))
    if (Either.isLeft(header)) {
      corruption = { offset: 0, problem: header.left, laterTerm: 0 }
      return Either.void
    }
    const version = header.right.log_format
    if (!readableFormats.includes(version)) {
      return Either.left(
        new LogError({
          reason: `${file}: written in log format ${version} (header at byte 0, field log_format); this version reads files ` +
            `without a header (format 0) and of formats ${readableFormats.join(" and ")}`
        })
      )
    }
    format = version as LogFormat
    wholeBytes = position
    return Either.void
  }

  const onLine = (line: Uint8Array): Either.Either<void, LogError> => {
    const offset = position
    position += line.length + 1
    if (format === null) {
      // Format 0 has no header: its first line is a record's JSON.
      if (line[0] === openingBrace) format = 0
      else {
        // Checksummed lines until the header says which format (or is itself damaged).
        format = currentLogFormat
        return readHeader(line)
      }
    }
    if (corruption !== null) {
      const later = recordOf(line, format)
      if (Either.isRight(later)) corruption = { ...corruption, laterTerm: Math.max(corruption.laterTerm, highestTermOf(later.right)) }
      return Either.void
    }
    const record = recordOf(line, format)
    const problem = Either.isLeft(record) ? record.left : apply(record.right, offset, line.length + 1)
    if (problem !== undefined) {
      corruption = { offset, problem, laterTerm: 0 }
      return Either.void
    }
    wholeBytes = position
    records++
    return Either.void
  }

  const push = (chunk: Uint8Array): Either.Either<void, LogError> => {
    let start = 0
    for (let end = chunk.indexOf(newline); end !== -1; end = chunk.indexOf(newline, start)) {
      const piece = chunk.subarray(start, end)
      const line = partial.length === 0 ? piece : Buffer.concat([...partial, piece])
      partial = []
      partialBytes = 0
      const read = onLine(line)
      if (Either.isLeft(read)) return read
      start = end + 1
    }
    if (start < chunk.length) {
      partial.push(new Uint8Array(chunk.subarray(start))) // a copy: the reader may reuse its buffer
      partialBytes += chunk.length - start
    }
    return Either.void
  }

  return { push, finish: () => ({ storage, format, wholeBytes, records, tornBytes: partialBytes, corruption }) }
}
