import { Context, Data, type Effect } from "effect"
import type { NodeId } from "../src/protocol/envelope.js"
import type { Entry } from "../src/protocol/raftMessages.js"

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
 * Read access to a Raft log. Indexes start at 1; index 0 is the empty prefix
 * with term 0. Reads are synchronous because every Log layer keeps the entries
 * in memory (a durable layer writes through to disk), so the Raft rules can
 * take the log as a plain value and stay pure.
 */
export interface LogView {
  readonly lastIndex: () => number
  /** The term of the entry at `index`; 0 at index 0; undefined past the end. */
  readonly termAt: (index: number) => number | undefined
  readonly entryAt: (index: number) => Entry | undefined
  /** Entries from `from` to `to`, both inclusive, clipped to the log. */
  readonly slice: (from: number, to: number) => ReadonlyArray<Entry>
}

/** The replicated log and the hard state, persisted before any reply that depends on them. */
export interface LogShape extends LogView {
  readonly hardState: () => HardState
  readonly saveHardState: (state: HardState) => Effect.Effect<void, LogError>
  /** Appends after the last entry. */
  readonly append: (entries: ReadonlyArray<Entry>) => Effect.Effect<void, LogError>
  /** Deletes the entry at `index` and every entry after it. */
  readonly truncateFrom: (index: number) => Effect.Effect<void, LogError>
}

export class Log extends Context.Tag("effect-raft-kv/Log")<Log, LogShape>() {}
