import * as path from "node:path"
import { Effect, Either, Layer } from "effect"
import { Disk, type DiskError, type DiskFile } from "../services/Disk.js"
import { Log, LogError, type LogShape } from "../services/Log.js"
import { Network } from "../services/Network.js"
import { makeDurableAppender } from "./durableAppender.js"
import { encodeLogRecord, type LogRecord, makeLogReplay, type RecoveredLog } from "./logRecordCodec.js"
import { makeMemoryLog } from "./MemoryLog.js"

export interface FileLogOptions {
  /** How much of the file is read at once on start (a log may be larger than a string can be). */
  readonly readChunkBytes?: number
}

const failedTo = (doing: string) => (error: DiskError) => new LogError({ reason: `${doing} failed: ${error.message}` })

/** Reads and replays the whole file, a chunk at a time. */
const replayFile = (file: DiskFile, filePath: string, chunkBytes: number): Effect.Effect<RecoveredLog, LogError> =>
  Effect.gen(function*() {
    const replay = makeLogReplay(filePath)
    let position = 0
    while (true) {
      const chunk = yield* file.read(position, chunkBytes).pipe(Effect.mapError(failedTo(`reading ${filePath} at byte ${position}`)))
      if (chunk.length === 0) return replay.finish()
      const replayed = replay.push(chunk)
      if (Either.isLeft(replayed)) return yield* replayed.left
      position += chunk.length
    }
  })

/**
 * A durable Log: every change is appended to `<directory>/<node id>.log` as
 * one whole record and fsynced before the call returns, so nothing the node
 * has replied about is lost to a crash; a change that cannot be made durable
 * fails and is not applied. Entries are also kept in memory for reads.
 */
export const FileLog = (directory: string, options: FileLogOptions = {}) =>
  Layer.scoped(
    Log,
    Effect.gen(function*() {
      const { self } = yield* Network
      const disk = yield* Disk
      const filePath = path.resolve(directory, `${self}.log`)

      // A new directory entry survives power loss only once its parent directory is fsynced.
      const createdDirectories = yield* disk.createDirectory(directory).pipe(Effect.mapError(failedTo(`creating ${directory}`)))
      for (const created of createdDirectories) {
        yield* disk.fsyncDirectory(path.dirname(created)).pipe(Effect.mapError(failedTo(`creating ${created}`)))
      }
      // A marker beside the log says this node had a log here. A log found empty while its marker
      // remains was lost (a deleted or emptied file): the node may have acknowledged entries it no
      // longer holds, so it holds no vote until a leader has caught it up (HardState.caughtUp).
      const markerPath = path.resolve(directory, `${self}.had-log`)
      const marker = yield* disk.open(markerPath).pipe(Effect.mapError(failedTo(`opening ${markerPath}`)))
      const { created, file } = yield* disk.open(filePath).pipe(Effect.mapError(failedTo(`opening ${filePath}`)))
      if (created || marker.created) {
        yield* disk.fsyncDirectory(directory).pipe(Effect.mapError(failedTo(`creating ${filePath} and ${markerPath}`)))
      }

      const recovered = yield* replayFile(file, filePath, options.readChunkBytes ?? 1024 * 1024)
      if (recovered.tornBytes > 0) {
        yield* Effect.logWarning(`${filePath}: dropping a torn last record of ${recovered.tornBytes} bytes at byte ${recovered.wholeBytes}`)
        yield* Effect.zipRight(file.truncate(recovered.wholeBytes), file.fsync).pipe(
          Effect.mapError(failedTo(`cutting the torn last record off ${filePath} at byte ${recovered.wholeBytes}`))
        )
      }
      yield* Effect.logInfo(`log ${filePath}: ${recovered.entries.length} entries, term ${recovered.hardState.term}`)

      const lost = !marker.created && recovered.wholeBytes === 0
      if (lost) {
        yield* Effect.logWarning(`${filePath} is empty but ${markerPath} says this node had a log: no vote until a leader catches it up`)
      }
      const appender = makeDurableAppender(file, filePath, recovered.wholeBytes)
      const memory = makeMemoryLog({
        entries: recovered.entries,
        hardState: lost ? { ...recovered.hardState, caughtUp: false } : recovered.hardState
      })
      // One change at a time, never cut halfway: on disk first, then in memory, in the same order.
      const lock = yield* Effect.makeSemaphore(1)
      const persist = (record: LogRecord, change: Effect.Effect<void, LogError>) =>
        lock.withPermits(1)(Effect.uninterruptible(Effect.zipRight(appender.append(encodeLogRecord(record)), change)))
      const log: LogShape = {
        ...memory,
        saveHardState: (state) => persist({ hard_state: state }, memory.saveHardState(state)),
        append: (entries) => persist({ append: entries }, memory.append(entries)),
        truncateFrom: (index) => persist({ truncate_from: index }, memory.truncateFrom(index))
      }
      return log
    })
  )
