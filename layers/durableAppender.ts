import { Effect, Either } from "effect"
import { DiskError, type DiskFile } from "../services/Disk.js"
import { LogError } from "../services/Log.js"

/**
 * Appends records to a file so that each is either whole and durable, or
 * absent: a write that cannot be completed and fsynced fails, and the file is
 * cut back to the end of its last whole record (a partial record would be
 * taken for a torn tail on restart, dropping the next records glued to it).
 * If even cutting back fails, the file's end is unknown: every later append
 * is refused.
 */
export interface DurableAppender {
  readonly append: (bytes: Uint8Array) => Effect.Effect<void, LogError>
}

export const makeDurableAppender = (file: DiskFile, path: string, wholeBytes: number): DurableAppender => {
  let end = wholeBytes
  let refusal: LogError | null = null

  /** fs.write may write fewer bytes than asked (a full disk): write the rest until all are written. */
  const writeAll = (bytes: Uint8Array, position: number): Effect.Effect<void, DiskError> =>
    Effect.flatMap(file.write(bytes, position), (written) => {
      if (written >= bytes.length) return Effect.void
      if (written <= 0) {
        return new DiskError({ reason: `write ${path}: no byte of ${bytes.length} written at byte ${position}`, code: undefined })
      }
      return writeAll(bytes.subarray(written), position + written)
    })

  const append = (bytes: Uint8Array): Effect.Effect<void, LogError> =>
    Effect.gen(function*() {
      if (refusal !== null) return yield* refusal
      const written = yield* Effect.either(Effect.zipRight(writeAll(bytes, end), file.fsync))
      if (Either.isRight(written)) {
        end += bytes.length
        return
      }
      const what = `appending a record of ${bytes.length} bytes to ${path} at byte ${end} failed: ${written.left.message}`
      const cutBack = yield* Effect.either(Effect.zipRight(file.truncate(end), file.fsync))
      if (Either.isRight(cutBack)) {
        return yield* new LogError({ reason: `${what}; the file was cut back to its last whole record (byte ${end})` })
      }
      refusal = new LogError({
        reason: `${what}; cutting the file back to byte ${end} failed too (${cutBack.left.message}): the log refuses every later write`
      })
      return yield* refusal
    })

  return { append }
}
