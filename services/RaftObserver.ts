import { Context, type Effect } from "effect"
import type { Entry } from "./Log.js"
import type { NodeId } from "./Network.js"

export type Role = "follower" | "candidate" | "leader"

/** A node's role changed: what it is now, in which term, and whom it follows (itself when leading). */
export interface RoleChange {
  readonly term: number
  readonly role: Role
  readonly leaderId: NodeId | null
}

/**
 * What a Raft node reports about itself as it runs: role changes, commit
 * progress, applied entries and restored snapshots. The binary logs them; the simulator checks
 * its invariants on them (one leader per term, commit never goes back,
 * applied sequences agree).
 */
export interface RaftObserverShape {
  readonly roleChanged: (change: RoleChange) => Effect.Effect<void>
  readonly committed: (commitIndex: number) => Effect.Effect<void>
  readonly applied: (index: number, entry: Entry) => Effect.Effect<void>
  /** The state machine took a snapshot's state: every entry up to `lastIndex` counts as applied. */
  readonly restored: (lastIndex: number) => Effect.Effect<void>
}

export class RaftObserver extends Context.Tag("effect-raft-kv/RaftObserver")<RaftObserver, RaftObserverShape>() {}
