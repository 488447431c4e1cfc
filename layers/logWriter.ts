import { Clock, Deferred, Effect, Fiber, type Scope } from "effect"
import type { LogError } from "../services/Log.js"
import { makeBacklog } from "../foundation/Backlog.js"
import type { MemoryLogStorage } from "./MemoryLog.js"

/**
 * What the writer does to the files, given by the Log it writes for. A
 * compaction writes a whole new file beside the log (`writeCompacted`), then
 * `install` adds the records written to the log meanwhile and renames it
 * over the log: from then on `append` goes to it.
 */
export interface LogFiles<Compacted> {
  /** Appends records to the log file and makes them durable. */
  readonly append: (bytes: Uint8Array) => Effect.Effect<void, LogError>
  /** Writes a new file holding exactly `contents`, durably, beside the log (nothing is left open if it fails or is interrupted). */
  readonly writeCompacted: (contents: MemoryLogStorage) => Effect.Effect<Compacted, LogError>
  /** Appends `since` to the compacted file, durably, and makes it the log. */
  readonly install: (compacted: Compacted, since: Uint8Array) => Effect.Effect<void, LogError>
  /** Closes a compacted file that will not be installed. */
  readonly discard: (compacted: Compacted) => Effect.Effect<void>
}

/** A change queued for the disk. */
type Change =
  /** One or more records, as bytes; `lastIndex` is the log's last index once they are applied. */
  | { readonly _tag: "Records"; readonly bytes: Uint8Array; readonly lastIndex: number }
  /**
   * The log as it stands right after a snapshot. A compaction (`replaces`
   * false) changes what the file says of no entry, so nothing waits for it
   * and the records after it go on to the log meanwhile; a snapshot that
   * replaces the log (a follower installing its leader's) comes before
   * anything after it.
   */
  | { readonly _tag: "Snapshot"; readonly contents: MemoryLogStorage; readonly replaces: boolean; readonly lastIndex: number }

/** A compaction written in the background, ready to be installed. */
interface Written<Compacted> {
  readonly _tag: "Written"
  readonly compaction: number
  readonly compacted: Compacted
}

/**
 * Writes a log's changes in the order they were made, on a fiber of its
 * own: every change waiting is written with one write and one fsync (group
 * commit), so no Raft transition waits for a disk. A compaction is written
 * beside the log in the background while records go on being appended and
 * made durable; then the records written meanwhile are added to it and it is
 * renamed over the log. A change that cannot be made durable stops the
 * writer: `failure` fails, and nothing waiting for durability runs.
 */
export interface LogWriter {
  readonly write: (change: Change) => Effect.Effect<void>
  readonly whenDurable: (then: Effect.Effect<void>) => Effect.Effect<void>
  readonly durable: Effect.Effect<void, LogError>
  readonly durableLastIndex: () => number
  readonly stalledSinceMs: () => number | null
  readonly failure: Effect.Effect<never, LogError>
}

export const makeLogWriter = <Compacted>(
  files: LogFiles<Compacted>,
  initialLastIndex: number,
  afterWrite: Effect.Effect<void, LogError>
): Effect.Effect<LogWriter, never, Scope.Scope> =>
  Effect.gen(function*() {
    const scope = yield* Effect.scope
    const queue = yield* makeBacklog<readonly [number, Change] | Written<Compacted>>()
    const failed = yield* Deferred.make<never, LogError>()
    // Changes are numbered in the order made; every change up to `durableThrough` is durable.
    let made = 0
    let durableThrough = 0
    let durableLastIndex = initialLastIndex
    // When the writer last made progress, or the first change of an idle writer was made.
    let stalledSinceMs: number | null = null
    let waiting: Array<{ readonly change: number; readonly then: Effect.Effect<void> }> = []
    // The compaction in the background, with the records appended to the log since its contents were taken.
    let compaction: { readonly id: number; readonly fiber: Fiber.RuntimeFiber<void>; readonly since: Array<Uint8Array> } | null = null
    // The newest compaction asked for while one runs, with the records appended since its contents were
    // taken: it starts from them when the running one is in place (a newer one replaces it, since and all).
    let nextCompaction: { readonly contents: MemoryLogStorage; readonly since: Array<Uint8Array> } | null = null
    let compactions = 0

    const madeDurable = (change: number, lastIndex: number) =>
      Effect.gen(function*() {
        durableThrough = change
        durableLastIndex = lastIndex
        stalledSinceMs = durableThrough === made ? null : yield* Clock.currentTimeMillis
        const due = waiting.filter((w) => w.change <= change)
        if (due.length === 0) return
        waiting = waiting.filter((w) => w.change > change)
        yield* Effect.forEach(due, (w) => w.then, { discard: true })
      })

    const startCompaction = (contents: MemoryLogStorage, since: Array<Uint8Array>) =>
      Effect.gen(function*() {
        const id = ++compactions
        const fiber = yield* Effect.forkIn(
          Effect.flatMap(files.writeCompacted(contents), (compacted) => queue.add({ _tag: "Written", compaction: id, compacted })).pipe(
            Effect.catchAll((error) => Deferred.fail(failed, error)),
            Effect.asVoid
          ),
          scope
        )
        compaction = { id, fiber, since }
      })

    const dropCompaction = Effect.suspend(() => {
      const running = compaction
      compaction = null
      nextCompaction = null
      return running === null ? Effect.void : Fiber.interrupt(running.fiber)
    })

    const apply = (item: readonly [number, Change] | Written<Compacted>): Effect.Effect<void, LogError> =>
      Effect.gen(function*() {
        if (!Array.isArray(item)) {
          const written = item as Written<Compacted>
          const running = compaction
          // Dropped meanwhile for a snapshot that replaced the whole log.
          if (running === null || running.id !== written.compaction) return yield* files.discard(written.compacted)
          compaction = null
          yield* files.install(written.compacted, Buffer.concat(running.since))
          yield* afterWrite
          if (nextCompaction !== null) {
            const next = nextCompaction
            nextCompaction = null
            yield* startCompaction(next.contents, next.since)
          }
          return
        }
        const [number, change] = item as readonly [number, Change]
        if (change._tag === "Records") {
          yield* files.append(change.bytes)
          compaction?.since.push(change.bytes)
          nextCompaction?.since.push(change.bytes)
          yield* afterWrite
          return yield* madeDurable(number, change.lastIndex)
        }
        if (change.replaces) {
          // Everything before it is replaced: an older compaction is moot, and nothing after it may reach the old file.
          yield* dropCompaction
          yield* Effect.flatMap(files.writeCompacted(change.contents), (compacted) => files.install(compacted, new Uint8Array(0)))
          yield* afterWrite
        } else if (compaction === null) yield* startCompaction(change.contents, [])
        else nextCompaction = { contents: change.contents, since: [] }
        yield* madeDurable(number, change.lastIndex)
      })

    /** Consecutive records written together: one write and one fsync for the lot. */
    const coalesce = (items: ReadonlyArray<readonly [number, Change] | Written<Compacted>>) => {
      const out: Array<readonly [number, Change] | Written<Compacted>> = []
      for (const item of items) {
        const last = out.at(-1)
        if (Array.isArray(item) && Array.isArray(last) && item[1]._tag === "Records" && last[1]._tag === "Records") {
          const [, previous] = last as readonly [number, Extract<Change, { _tag: "Records" }>]
          const [number, next] = item as readonly [number, Extract<Change, { _tag: "Records" }>]
          out[out.length - 1] = [number, { _tag: "Records", bytes: Buffer.concat([previous.bytes, next.bytes]), lastIndex: next.lastIndex }]
        } else out.push(item)
      }
      return out
    }

    yield* Effect.forkScoped(
      Effect.forever(Effect.flatMap(queue.takeAll, (items) => Effect.forEach(coalesce(items), apply, { discard: true }))).pipe(
        Effect.catchAll((error) => Deferred.fail(failed, error))
      )
    )
    yield* Effect.addFinalizer(() => dropCompaction)

    const whenDurable = (then: Effect.Effect<void>) =>
      Effect.suspend(() => {
        if (durableThrough === made) return then
        waiting.push({ change: made, then })
        return Effect.void
      })

    return {
      write: (change) =>
        Effect.gen(function*() {
          if (stalledSinceMs === null) stalledSinceMs = yield* Clock.currentTimeMillis
          yield* queue.add([++made, change])
        }),
      whenDurable,
      durable: Effect.gen(function*() {
        const done = yield* Deferred.make<void>()
        yield* whenDurable(Deferred.succeed(done, undefined))
        yield* Effect.raceFirst(Deferred.await(done), Deferred.await(failed))
      }),
      durableLastIndex: () => durableLastIndex,
      stalledSinceMs: () => stalledSinceMs,
      failure: Deferred.await(failed)
    }
  })
