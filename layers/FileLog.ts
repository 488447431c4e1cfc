import * as path from "node:path"
import { Deferred, Effect, Either, Exit, FiberId, Layer, Option, Scope, Stream } from "effect"
import { Disk, type DiskError, type DiskFile } from "../services/Disk.js"
import { type HardState, Log, LogError, type LogShape, type Snapshot, SnapshotGone, type SnapshotPlace } from "../services/Log.js"
import { Network } from "../services/Network.js"
import { type DurableAppender, makeDurableAppender } from "./durableAppender.js"
import {
  type ChunkPlace,
  type Corruption,
  currentLogFormat,
  encodeLogRecord,
  type LocateSnapshot,
  type LogRecord,
  logFormatHeader,
  makeLogReplay,
  type RecoveredLog,
  snapshotChunkLine,
  snapshotChunkText,
  snapshotRecord
} from "./logRecordCodec.js"
import { logViewOf, memoryChanges, type MemoryLogStorage } from "./MemoryLog.js"
import { makeLogWriter } from "./logWriter.js"

export interface FileLogOptions {
  /** How much of the file is read at once on start (a log may be larger than a string can be). */
  readonly readChunkBytes?: number
  /** Runs once each compaction is in place (renamed over the log, the directory fsynced): for whoever watches the disk. */
  readonly onCompacted?: Effect.Effect<void>
}

/** What the had-log marker holds once the node wrote a record to its log. */
const hadLogMark = new TextEncoder().encode("1\n")

const failedTo = (doing: string) => (error: DiskError) => new LogError({ reason: `${doing} failed: ${error.message}` })

/** Reads and replays the whole file, a chunk at a time. */
const replayFile = (
  file: DiskFile,
  filePath: string,
  chunkBytes: number,
  locate: LocateSnapshot
): Effect.Effect<RecoveredLog, LogError> =>
  Effect.gen(function*() {
    const replay = makeLogReplay(filePath, locate)
    let position = 0
    while (true) {
      const chunk = yield* file.read(position, chunkBytes).pipe(Effect.mapError(failedTo(`reading ${filePath} at byte ${position}`)))
      if (chunk.length === 0) return replay.finish()
      const replayed = replay.push(chunk)
      if (Either.isLeft(replayed)) return yield* replayed.left
      position += chunk.length
    }
  })

/** Exactly `length` bytes from `position` (a read may return fewer than asked). */
const readExactly = (file: DiskFile, position: number, length: number): Effect.Effect<Uint8Array, DiskError> =>
  Effect.gen(function*() {
    const parts: Array<Uint8Array> = []
    let read = 0
    while (read < length) {
      const part = yield* file.read(position + read, length - read)
      if (part.length === 0) break
      parts.push(part)
      read += part.length
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts)
  })

/** How many bytes of a compaction are gathered before they are written (and fsynced) at once. */
const compactionBatchBytes = 1024 * 1024

/**
 * Where a snapshot of this log is: the places of its chunks in the log file
 * (null until its compaction is in place), `ready` once they are known or the
 * snapshot was replaced, and, until it is written out, the stream of its chunks.
 */
interface Placement {
  chunks: ReadonlyArray<ChunkPlace> | null
  readonly ready: Deferred.Deferred<void>
  source: Stream.Stream<string, LogError> | null
}

/**
 * The hard state of a node that lost its log from some record on. It holds
 * no vote until a leader catches it up. The lost records may have held a
 * newer term and a vote in it: it takes the highest term any record still
 * names, and unless it knows its vote in that term, holds that vote itself,
 * so it cannot vote twice in that term. A term named only by the damaged
 * records themselves stays unknown (README, known limits).
 */
const afterLoss = (hard: HardState, corruption: Corruption, self: string): HardState => {
  const term = Math.max(hard.term, corruption.laterTerm)
  const votedFor = term === hard.term && hard.votedFor !== null ? hard.votedFor : self
  return { term, votedFor, caughtUp: false }
}

/**
 * A durable Log: every change is appended to `<directory>/<node id>.log` as
 * one whole record and fsynced before the call returns, so nothing the node
 * has replied about is lost to a crash; a change that cannot be made durable
 * fails and is not applied. Entries are also kept in memory for reads. Every
 * record carries a checksum (logRecordCodec.ts), checked when the file is
 * replayed on start.
 *
 * Saving a snapshot compacts the file: the snapshot, the hard state and the
 * entries after the snapshot are written whole to `<node id>.log.compacting`,
 * fsynced, renamed over the log, and the directory fsynced. A crash at any
 * step leaves either the old file or the new one under the log's name, each
 * complete, so nothing acknowledged is lost; a leftover temporary file is
 * overwritten by the next compaction. A file found damaged, or written in
 * the format before checksums, is replaced the same way on start.
 */
export const FileLog = (directory: string, options: FileLogOptions = {}) =>
  Layer.scoped(
    Log,
    Effect.gen(function*() {
      const { nodeIds, self } = yield* Network
      const disk = yield* Disk
      const namedPath = path.resolve(directory, `${self}.log`)
      const chunkBytes = options.readChunkBytes ?? 1024 * 1024
      // Only a leader can repair a log that lost records, and a lone node has no leader but itself.
      const alone = nodeIds.every((id) => id === self)
      const refuseAlone = (what: string) =>
        new LogError({
          reason: `${what}; this node is alone in its cluster, so no other node can repair its log: ` +
            "it refuses to start rather than serve what it cannot vouch for, and leaves its files as they are"
        })

      // A new directory entry survives power loss only once its parent directory is fsynced.
      const createdDirectories = yield* disk.createDirectory(directory).pipe(Effect.mapError(failedTo(`creating ${directory}`)))
      for (const created of createdDirectories) {
        yield* disk.fsyncDirectory(path.dirname(created)).pipe(Effect.mapError(failedTo(`creating ${created}`)))
      }
      // A log that is a symbolic link is followed: the file, its compactions and its copies live where the link points,
      // so a compaction renamed over it replaces the file the link names, never the link.
      const filePath = yield* disk.resolveLinks(namedPath).pipe(Effect.mapError(failedTo(`following ${namedPath}`)))
      const fileDirectory = path.dirname(filePath)
      if (filePath !== namedPath) {
        yield* Effect.logInfo(`${namedPath} is a symbolic link: the log is ${filePath}`)
        const createdForTarget = yield* disk.createDirectory(fileDirectory).pipe(Effect.mapError(failedTo(`creating ${fileDirectory}`)))
        for (const created of createdForTarget) {
          yield* disk.fsyncDirectory(path.dirname(created)).pipe(Effect.mapError(failedTo(`creating ${created}`)))
        }
      }
      // A marker beside the log says this node wrote a record to its log here: it holds a byte once
      // the first record is durable, before that record is acknowledged. A log found empty beside a
      // marked marker was lost (a deleted or emptied file): the node may have acknowledged entries it
      // no longer holds, so it holds no vote until a leader has caught it up (HardState.caughtUp). An
      // empty log beside an empty marker never held anything: the node promised nothing.
      const markerPath = path.resolve(directory, `${self}.had-log`)
      const marker = yield* disk.open(markerPath).pipe(Effect.mapError(failedTo(`opening ${markerPath}`)))
      // The open log file lives in a scope of its own: compaction replaces it with another.
      let fileScope = yield* Scope.make()
      yield* Effect.addFinalizer(() => Scope.close(fileScope, Exit.void))
      const { created, file } = yield* disk.open(filePath).pipe(
        Scope.extend(fileScope),
        Effect.mapError(failedTo(`opening ${filePath}`))
      )
      const directoriesToSync = new Set([...(created ? [fileDirectory] : []), ...(marker.created ? [path.resolve(directory)] : [])])
      for (const changed of directoriesToSync) {
        yield* disk.fsyncDirectory(changed).pipe(Effect.mapError(failedTo(`creating ${filePath} and ${markerPath}`)))
      }

      // The file the log is now: compaction replaces it. Snapshot chunks are read from it under `fileLock`,
      // which the switch to a new file also takes, so that no read reaches a file being closed.
      let currentFile = file
      const fileLock = yield* Effect.makeSemaphore(1)
      const placements = new WeakMap<Snapshot, Placement>()
      let live: MemoryLogStorage | null = null
      /** A snapshot of this log, read a chunk at a time from the log file, while it is the log's snapshot. */
      const fileSnapshot = (place: SnapshotPlace, placement: Placement): Snapshot => {
        const snapshot: Snapshot = {
          lastIndex: place.lastIndex,
          lastTerm: place.lastTerm,
          ...(place.config === undefined ? {} : { config: place.config }),
          chunk: (index) =>
            Effect.zipRight(
              Deferred.await(placement.ready),
              fileLock.withPermits(1)(Effect.gen(function*() {
                const chunks = placement.chunks
                if (live?.snapshot !== snapshot || chunks === null) return yield* new SnapshotGone({ lastIndex: place.lastIndex })
                const at = chunks[index]
                if (at === undefined) {
                  return yield* Effect.dieMessage(
                    `the snapshot of entries up to ${place.lastIndex} has ${chunks.length} chunks, not ${index + 1}`
                  )
                }
                const where = `chunk ${index} of the snapshot of entries up to ${place.lastIndex} in ${filePath} at byte ${at.position}`
                const line = yield* readExactly(currentFile, at.position, at.length).pipe(Effect.mapError(failedTo(`reading ${where}`)))
                const text = snapshotChunkText(line)
                if (Either.isLeft(text)) return yield* new LogError({ reason: `reading ${where}: ${text.left}` })
                return { text: text.right, last: index === chunks.length - 1 }
              }))
            )
        }
        placements.set(snapshot, placement)
        return snapshot
      }
      const placed = (chunks: ReadonlyArray<ChunkPlace>): Placement => {
        const ready = Deferred.unsafeMake<void>(FiberId.none)
        Deferred.unsafeDone(ready, Exit.void)
        return { chunks, ready, source: null }
      }
      /** A snapshot's chunks in order: from their stream until it is written out, then from the file. */
      const chunkTexts = (snapshot: Snapshot): Stream.Stream<string, LogError> =>
        placements.get(snapshot)?.source ??
          Stream.paginateEffect(0, (index) =>
            snapshot.chunk(index).pipe(
              Effect.catchTag("SnapshotGone", (gone) => Effect.die(gone)),
              Effect.map(({ last, text }) => [text, last ? Option.none() : Option.some(index + 1)] as const)
            ))

      const recovered = yield* replayFile(file, filePath, chunkBytes, (place, chunks) => fileSnapshot(place, placed(chunks)))
      const { corruption, storage } = recovered
      live = storage
      const damage = corruption === null ? null : `${filePath}: corrupt record at byte ${corruption.offset}: ${corruption.problem}`
      if (damage !== null && alone) return yield* refuseAlone(damage)
      if (corruption === null && recovered.tornBytes > 0) {
        yield* Effect.logWarning(`${filePath}: dropping a torn last record of ${recovered.tornBytes} bytes at byte ${recovered.wholeBytes}`)
        yield* Effect.zipRight(file.truncate(recovered.wholeBytes), file.fsync).pipe(
          Effect.mapError(failedTo(`cutting the torn last record off ${filePath} at byte ${recovered.wholeBytes}`))
        )
      }

      // What the file holds may never have been made durable: written before a fsync that failed (EIO), then read
      // back by this restart as if it were. It is made durable before anything is acknowledged on it.
      yield* file.fsync.pipe(Effect.mapError(failedTo(`making ${filePath} durable at start`)))

      let marked = (yield* marker.file.read(0, 1).pipe(Effect.mapError(failedTo(`reading ${markerPath}`)))).length > 0
      /** Marks the marker, once: called with the log's first durable record (or a log that had some before markers held a byte). */
      const markHadLog = Effect.suspend(() =>
        marked ? Effect.void : Effect.zipRight(
          makeDurableAppender(marker.file, markerPath, 0).append(hadLogMark),
          Effect.sync(() => void (marked = true))
        )
      )
      if (corruption === null && marked && recovered.records === 0) {
        const lost = `${filePath} is empty (byte 0) but ${markerPath} says this node had a log`
        if (alone) return yield* refuseAlone(lost)
        yield* Effect.logWarning(`${lost}: no vote until a leader catches it up`)
        storage.hardState = { ...storage.hardState, caughtUp: false }
      }
      if (alone && !storage.hardState.caughtUp) {
        return yield* refuseAlone(
          `${filePath}: its hard state says this node lost records that no leader has replaced since (caughtUp false)`
        )
      }

      let appender = makeDurableAppender(file, filePath, recovered.wholeBytes)
      // A file begun by this version starts with the format header, written with the file's first record.
      let headerDue = recovered.wholeBytes === 0
      const appendRecord = (bytes: Uint8Array) =>
        headerDue
          ? Effect.zipRight(appender.append(Buffer.concat([logFormatHeader, bytes])), Effect.sync(() => void (headerDue = false)))
          : appender.append(bytes)
      const compactingPath = `${filePath}.compacting`
      /**
       * A file written whole beside the log, durably, in a scope of its own: the log's next file once renamed
       * over it, with the places of its snapshot's chunks.
       */
      interface CompactedFile {
        readonly scope: Scope.CloseableScope
        readonly file: DiskFile
        readonly appender: DurableAppender
        readonly snapshot: Snapshot | null
        readonly chunks: ReadonlyArray<ChunkPlace>
      }
      /**
       * Writes a file holding `contents` and nothing older: the snapshot's chunks (streamed, never held
       * together), the snapshot record naming how many, the hard state, and the entries after the snapshot.
       */
      const writeCompacted = (contents: MemoryLogStorage): Effect.Effect<CompactedFile, LogError> =>
        Effect.gen(function*() {
          const scope = yield* Scope.make()
          return yield* Effect.gen(function*() {
            const { file: next } = yield* disk.open(compactingPath).pipe(
              Scope.extend(scope),
              Effect.mapError(failedTo(`opening ${compactingPath}`))
            )
            // What a crashed compaction left there goes first.
            yield* next.truncate(0).pipe(Effect.mapError(failedTo(`emptying ${compactingPath}`)))
            const compactedAppender = makeDurableAppender(next, compactingPath, 0)
            let pending: Array<Uint8Array> = []
            let pendingBytes = 0
            let writtenBytes = 0
            const flush = Effect.suspend(() => {
              const bytes = Buffer.concat(pending)
              pending = []
              pendingBytes = 0
              writtenBytes += bytes.length
              return compactedAppender.append(bytes)
            })
            const add = (line: Uint8Array) =>
              Effect.suspend(() => {
                pending.push(line)
                pendingBytes += line.length
                return pendingBytes >= compactionBatchBytes ? flush : Effect.void
              })
            yield* add(logFormatHeader)
            const chunks: Array<ChunkPlace> = []
            const { snapshot } = contents
            if (snapshot !== null) {
              yield* Stream.runForEach(chunkTexts(snapshot), (text) => {
                const line = snapshotChunkLine(text)
                chunks.push({ position: writtenBytes + pendingBytes, length: line.length })
                return add(line)
              })
              yield* add(encodeLogRecord(snapshotRecord(snapshot, chunks.length)))
            }
            yield* add(encodeLogRecord({ hard_state: contents.hardState }))
            if (contents.entries.length > 0) yield* add(encodeLogRecord({ append: contents.entries }))
            yield* flush
            return { scope, file: next, appender: compactedAppender, snapshot, chunks }
          }).pipe(Effect.onError(() => Scope.close(scope, Exit.void)))
        })
      /** Adds `since` to a compacted file and renames it over the log: from then on it is the log. */
      const install = (compacted: CompactedFile, since: Uint8Array) =>
        Effect.gen(function*() {
          if (since.length > 0) yield* compacted.appender.append(since)
          yield* fileLock.withPermits(1)(Effect.gen(function*() {
            yield* disk.rename(compactingPath, filePath).pipe(
              Effect.mapError(failedTo(`renaming ${compactingPath}`)),
              Effect.onError(() => Scope.close(compacted.scope, Exit.void))
            )
            // From the rename on, the log's name is the new file: write and read there, whatever happens next.
            yield* Scope.close(fileScope, Exit.void)
            fileScope = compacted.scope
            currentFile = compacted.file
            appender = compacted.appender
            headerDue = false
            const placement = compacted.snapshot === null ? undefined : placements.get(compacted.snapshot)
            if (placement !== undefined) {
              placement.chunks = compacted.chunks
              placement.source = null
              yield* Deferred.succeed(placement.ready, undefined)
            }
          }))
          yield* disk.fsyncDirectory(fileDirectory).pipe(Effect.mapError(failedTo(`renaming ${compactingPath} to ${filePath}`)))
        })
      /** Makes `contents` the log, on disk and then in memory: only on start, before the log is in use. */
      const replaceFile = (contents: MemoryLogStorage) =>
        Effect.gen(function*() {
          yield* install(yield* writeCompacted(contents), new Uint8Array(0))
          Object.assign(storage, contents)
          yield* markHadLog
        })

      /** Copies the log file as found to `target`, durably, a chunk at a time: the evidence, for whoever looks into the damage. */
      const keepCopy = (target: string) =>
        Effect.scoped(Effect.gen(function*() {
          const { file: copy } = yield* disk.open(target).pipe(Effect.mapError(failedTo(`opening ${target}`)))
          // What an interrupted copy left there goes first.
          yield* copy.truncate(0).pipe(Effect.mapError(failedTo(`emptying ${target}`)))
          const copier = makeDurableAppender(copy, target, 0)
          for (let position = 0;;) {
            const chunk = yield* file.read(position, chunkBytes).pipe(Effect.mapError(failedTo(`reading ${filePath} at byte ${position}`)))
            if (chunk.length === 0) break
            yield* copier.append(chunk)
            position += chunk.length
          }
          yield* disk.fsyncDirectory(fileDirectory).pipe(Effect.mapError(failedTo(`creating ${target}`)))
        }))

      if (corruption !== null) {
        const copyPath = `${filePath}.corrupt-${corruption.offset}`
        const hardState = afterLoss(storage.hardState, corruption, self)
        const kept = (storage.snapshot?.lastIndex ?? 0) + storage.entries.length
        yield* Effect.logWarning(
          `${damage}; keeping the log before it (entries up to ${kept}) and taking everything from it on as lost: ` +
            `no vote until a leader catches this node up; the file as found is kept as ${copyPath}`
        )
        yield* keepCopy(copyPath)
        yield* replaceFile({ ...storage, hardState })
      } else if (recovered.format === 0) {
        yield* replaceFile(storage)
        yield* Effect.logInfo(`${filePath}: rewritten in log format ${currentLogFormat} (checksummed records)`)
      } else if (recovered.records > 0) yield* markHadLog
      const snapshotNote = storage.snapshot === null ? "" : ` after a snapshot of entries up to ${storage.snapshot.lastIndex}`
      yield* Effect.logInfo(`log ${filePath}: ${storage.entries.length} entries${snapshotNote}, term ${storage.hardState.term}`)

      const view = logViewOf(storage)
      const change = memoryChanges(storage)
      const writer = yield* makeLogWriter<CompactedFile>(
        {
          append: appendRecord,
          writeCompacted,
          install: (compacted, since) => Effect.zipRight(install(compacted, since), options.onCompacted ?? Effect.void),
          discard: (compacted) => Scope.close(compacted.scope, Exit.void)
        },
        view.lastIndex(),
        markHadLog
      )
      /** Makes a change in memory at once, and queues its record for the disk. */
      const stage = (record: LogRecord, apply: () => void) =>
        Effect.suspend(() => {
          apply()
          return writer.write({ _tag: "Records", bytes: encodeLogRecord(record), lastIndex: view.lastIndex() })
        })

      const log: LogShape = {
        ...view,
        hardState: () => storage.hardState,
        tornTailDropped: corruption === null && recovered.tornBytes > 0,
        snapshot: () => storage.snapshot,
        saveHardState: (state) => stage({ hard_state: state }, () => change.saveHardState(state)),
        append: (entries) => stage({ append: entries }, () => change.append(entries)),
        replaceFrom: (index, entries) => stage({ replace_from: index, entries }, () => change.replaceFrom(index, entries)),
        saveSnapshot: (incoming) =>
          Effect.suspend(() => {
            if (incoming.lastIndex <= (storage.snapshot?.lastIndex ?? 0)) return Effect.void
            // Without the snapshot's last entry the log is replaced by it (a follower installing its leader's).
            const replaces = view.termAt(incoming.lastIndex) !== incoming.lastTerm
            const previous = storage.snapshot === null ? undefined : placements.get(storage.snapshot)
            // Its chunks are read once it is written out; until then, from its own stream, by the compaction alone.
            const ready = Deferred.unsafeMake<void>(FiberId.none)
            change.saveSnapshot(fileSnapshot(incoming, { chunks: null, ready, source: incoming.chunks }))
            // A snapshot replaced before it was written out will never be read: whoever waits for it reads the new one.
            if (previous !== undefined) Deferred.unsafeDone(previous.ready, Exit.void)
            const contents = { snapshot: storage.snapshot, hardState: storage.hardState, entries: storage.entries.slice() }
            return writer.write({ _tag: "Snapshot", contents, replaces, lastIndex: view.lastIndex() })
          }),
        whenDurable: writer.whenDurable,
        durable: writer.durable,
        durableLastIndex: writer.durableLastIndex,
        stalledSinceMs: writer.stalledSinceMs,
        failure: writer.failure
      }
      return log
    })
  )
