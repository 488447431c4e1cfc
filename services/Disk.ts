import { Context, Data, type Effect, type Scope } from "effect"

/**
 * A file system call failed. `reason` (also the message) names the call, the
 * path and the error; `code` is the operating system's (`ENOSPC`, `EIO`, ...).
 */
export class DiskError extends Data.TaggedError("DiskError")<{ readonly reason: string; readonly code: string | undefined }> {
  override get message(): string {
    return this.reason
  }
}

/** A file open for reading and writing at explicit positions. */
export interface DiskFile {
  /** Up to `maxBytes` bytes from `position`; empty at the end of the file. */
  readonly read: (position: number, maxBytes: number) => Effect.Effect<Uint8Array, DiskError>
  /** Writes `bytes` at `position` and says how many were written: possibly fewer (a full disk). */
  readonly write: (bytes: Uint8Array, position: number) => Effect.Effect<number, DiskError>
  /** Makes every write so far durable. */
  readonly fsync: Effect.Effect<void, DiskError>
  /** Cuts the file to `length` bytes. */
  readonly truncate: (length: number) => Effect.Effect<void, DiskError>
}

/**
 * The few file system calls a durable log needs, so that tests can inject a
 * failing disk and a simulated cluster a simulated one.
 */
export interface DiskShape {
  /** Creates a directory and its missing parents; returns the directories it created, outermost first. */
  readonly createDirectory: (path: string) => Effect.Effect<ReadonlyArray<string>, DiskError>
  /** Opens a file, creating it when absent (`created`); it is closed with the scope. */
  readonly open: (path: string) => Effect.Effect<{ readonly file: DiskFile; readonly created: boolean }, DiskError, Scope.Scope>
  /** Makes the directory's entries (a file created or renamed in it) durable. */
  readonly fsyncDirectory: (path: string) => Effect.Effect<void, DiskError>
  /**
   * Gives the file at `from` the name `to`, replacing any file there, in one
   * step: a crash leaves one or the other under `to`, never a mix; which one
   * is certain once the directory is fsynced.
   */
  readonly rename: (from: string, to: string) => Effect.Effect<void, DiskError>
  /**
   * The path a file is really at: `path` itself, or, when it is a symbolic
   * link (or a chain of them), the path the last link names, whether or not a
   * file is there yet. A file written whole beside it and renamed over it
   * must go beside that path, or the rename would replace the link.
   */
  readonly resolveLinks: (path: string) => Effect.Effect<string, DiskError>
}

export class Disk extends Context.Tag("effect-raft-kv/Disk")<Disk, DiskShape>() {}
