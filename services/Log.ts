import { Context, Data, type Effect } from "effect"
import type { NodeId } from "./Network.js"

/**
 * One log entry: the term of the leader that appended it, and the
 * application's command, a JSON value Raft never looks inside. An entry
 * without a command is Raft's own no-op (a new leader's first entry).
 */
export interface Entry {
  readonly term: number
  readonly command?: unknown
}

/** The Raft state that must survive a restart besides the log itself. */
export interface HardState {
  readonly term: number
  readonly votedFor: NodeId | null
  /**
   * False when this node's log is known to have been lost (its file emptied
   * or deleted while the marker beside it remained: see FileLog), until a
   * leader has brought the log level with that leader's commit index (or the
   * node was elected). Such a node may have acknowledged entries it no longer
   * holds; until caught up it must not help elect a leader that lacks them
   * (see voteRules.ts). New storage is caught up: a new node promised nothing.
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
 * The state machine's state after the entries up to `lastIndex` (whose term
 * was `lastTerm`), standing in for those entries once they are compacted away.
 */
export interface Snapshot {
  readonly lastIndex: number
  readonly lastTerm: number
  /** The state machine's snapshot (StateMachine.snapshot) as JSON text. */
  readonly data: string
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

/** The replicated log and the hard state, persisted before any reply that depends on them. */
export interface LogShape extends LogView {
  readonly hardState: () => HardState
  readonly saveHardState: (state: HardState) => Effect.Effect<void, LogError>
  /** Appends after the last entry. */
  readonly append: (entries: ReadonlyArray<Entry>) => Effect.Effect<void, LogError>
  /**
   * Deletes the entry at `index` and every entry after it (never an entry the
   * snapshot covers), then appends `entries`: one change, durable whole or not
   * at all (a follower replacing a conflicting suffix with its leader's entries).
   */
  readonly replaceFrom: (index: number, entries: ReadonlyArray<Entry>) => Effect.Effect<void, LogError>
  /** The latest snapshot, or null before the first. */
  readonly snapshot: () => Snapshot | null
  /**
   * Keeps `snapshot` in place of the entries up to its last index. When the
   * log has the snapshot's last entry (same index and term), the entries after
   * it stay; otherwise the whole log is replaced by the snapshot (a follower
   * installing a leader's). A snapshot no newer than the current one changes nothing.
   */
  readonly saveSnapshot: (snapshot: Snapshot) => Effect.Effect<void, LogError>
}

export class Log extends Context.Tag("effect-raft-kv/Log")<Log, LogShape>() {}
