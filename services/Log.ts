import { Context, Data, type Effect, type Stream } from "effect"
import type { NodeId } from "./Network.js"

/**
 * Who is in the cluster: the voters, whose majority every decision needs,
 * and the learners, which receive the log but neither vote nor count. While
 * the voters change (joint consensus, Raft thesis chapter 4) `outgoing` holds
 * the voters being left, and every decision needs a majority of each.
 */
export interface Configuration {
  readonly voters: ReadonlyArray<NodeId>
  readonly learners: ReadonlyArray<NodeId>
  readonly outgoing?: ReadonlyArray<NodeId>
}

/**
 * One log entry: the term of the leader that appended it, and either the
 * application's command, a JSON value Raft never looks inside, or Raft's own
 * configuration change. An entry with neither is Raft's no-op (a new
 * leader's first entry).
 */
export interface Entry {
  readonly term: number
  readonly command?: unknown
  readonly config?: Configuration
}

/** The Raft state that must survive a restart besides the log itself. */
export interface HardState {
  readonly term: number
  readonly votedFor: NodeId | null
  /**
   * False when this node's log is known to have lost records (its file
   * emptied, deleted or damaged while the marker beside it remained: see
   * FileLog), or when it started empty and its peers showed that the cluster
   * had begun without it (see src/raft/recovery.ts), until a leader has
   * brought the log level with that leader's commit index. Such a node may
   * have acknowledged entries it no longer holds; until caught up it does not
   * campaign, and votes only as its peers' answers allow. New storage is
   * caught up until its peers say otherwise.
   */
  readonly caughtUp: boolean
}

/**
 * Reading or writing durable storage failed: the node must not answer as if
 * it had persisted. `reason` (also the error's message) names the file, what
 * was being done, where, and the operating system's error code.
 */
export class LogError extends Data.TaggedError("LogError")<{ readonly reason: string }> {
  override get message(): string {
    return this.reason
  }
}

/**
 * A snapshot's place in the log: the state after the entries up to
 * `lastIndex`, whose term was `lastTerm`, and the configuration in force
 * there (absent: the cluster's first, all the members `init` named; as in
 * snapshots written before configurations were kept).
 */
export interface SnapshotPlace {
  readonly lastIndex: number
  readonly lastTerm: number
  readonly config?: Configuration
}

/**
 * A snapshot to keep: its chunks, each the JSON text of an array of the
 * state machine's snapshot items, in order (at least one). The log reads
 * them once, as it writes them out; each run of the stream gives the same.
 */
export interface NewSnapshot extends SnapshotPlace {
  readonly chunks: Stream.Stream<string, LogError>
}

/** A snapshot's chunk as read back: its text, and whether it is the last. */
export interface SnapshotChunk {
  readonly text: string
  readonly last: boolean
}

/** A snapshot was replaced by a newer one while it was being read: read the log's snapshot again. */
export class SnapshotGone extends Data.TaggedError("SnapshotGone")<{ readonly lastIndex: number }> {
  override get message(): string {
    return `the snapshot of entries up to ${this.lastIndex} was replaced by a newer one`
  }
}

/**
 * The state machine's state after the entries up to `lastIndex`, standing in
 * for those entries once they are compacted away. Its chunks are read one at
 * a time (from disk, in a durable log), never held whole; reading one may wait
 * until the snapshot is written out.
 */
export interface Snapshot extends SnapshotPlace {
  readonly chunk: (index: number) => Effect.Effect<SnapshotChunk, LogError | SnapshotGone>
}

/**
 * Read access to a Raft log. Indexes start at 1; index 0 is the empty prefix
 * with term 0. A log may begin with a snapshot: its entries then start at
 * `firstIndex()`, and the index just before (the snapshot's last index) still
 * has its term. Reads are synchronous because every Log layer keeps the
 * entries in memory (a durable layer writes through to disk), so the Raft
 * rules can take the log as a plain value and stay pure.
 */
export interface LogView {
  /** The first index with an entry (after the snapshot's last index; 1 without a snapshot). */
  readonly firstIndex: () => number
  readonly lastIndex: () => number
  /**
   * The term of the entry at `index`: 0 at index 0, the snapshot's last term
   * at its last index; undefined before that (compacted) or past the end.
   */
  readonly termAt: (index: number) => number | undefined
  /** The entry at `index`; undefined when compacted or past the end. */
  readonly entryAt: (index: number) => Entry | undefined
  /** Entries from `from` to `to`, both inclusive, clipped to the entries the log holds. */
  readonly slice: (from: number, to: number) => ReadonlyArray<Entry>
}

/**
 * The replicated log and the hard state. A change is made in memory at once,
 * so every read sees it from then on, and reaches the disk later, in the
 * order the changes were made: no caller waits for a disk inside a Raft
 * transition. Whoever sends a message that depends on what the log holds
 * sends it through `whenDurable`, so nothing leaves this node that a crash
 * could take back; a leader counts itself toward a quorum only up to
 * `durableLastIndex`.
 */
export interface LogShape extends LogView {
  readonly hardState: () => HardState
  readonly saveHardState: (state: HardState) => Effect.Effect<void>
  /** Appends after the last entry. */
  readonly append: (entries: ReadonlyArray<Entry>) => Effect.Effect<void>
  /**
   * Deletes the entry at `index` and every entry after it (never an entry the
   * snapshot covers), then appends `entries`: one change, durable whole or not
   * at all (a follower replacing a conflicting suffix with its leader's entries).
   */
  readonly replaceFrom: (index: number, entries: ReadonlyArray<Entry>) => Effect.Effect<void>
  /** The latest snapshot, or null before the first. */
  readonly snapshot: () => Snapshot | null
  /**
   * Keeps `snapshot` in place of the entries up to its last index (`snapshot()`
   * gives it at once; its chunks are readable once it is written out). When the
   * log has the snapshot's last entry (same index and term), the entries after
   * it stay; otherwise the whole log is replaced by the snapshot (a follower
   * installing a leader's). A snapshot no newer than the current one changes
   * nothing. Writing it out (compacting the disk's copy) holds up no change
   * made after it.
   */
  readonly saveSnapshot: (snapshot: NewSnapshot) => Effect.Effect<void>
  /**
   * Runs `then` once every change made so far is durable: at once when it
   * is; in the order asked otherwise. It must not block; it never runs if a
   * change could not be made durable (see `failure`).
   */
  readonly whenDurable: (then: Effect.Effect<void>) => Effect.Effect<void>
  /** Waits until every change made so far is durable; fails as `failure` does. */
  readonly durable: Effect.Effect<void, LogError>
  /** The last index of the log as far as it is durable (what a crash now would leave). */
  readonly durableLastIndex: () => number
  /**
   * Since when changes have been waiting for the disk without any of them
   * becoming durable (Clock milliseconds), or null when none waits: a disk
   * that stalls shows here.
   */
  readonly stalledSinceMs: () => number | null
  /**
   * Opening the log dropped bytes at its end that did not form a whole
   * record. After a crash they were a write never made durable, so never
   * acknowledged; but a disk that lost a durable suffix looks the same, so
   * the node does not trust its log's end until its peers have told theirs
   * (src/raft/recovery.ts).
   */
  readonly tornTailDropped: boolean
  /**
   * Fails once a change could not be made durable, and never succeeds: the
   * node's memory is then ahead of its disk, and it must stop.
   */
  readonly failure: Effect.Effect<never, LogError>
}

export class Log extends Context.Tag("effect-raft-kv/Log")<Log, LogShape>() {}
