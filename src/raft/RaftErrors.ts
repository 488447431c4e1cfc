import { Data } from "effect"
import type { NodeId } from "../../services/Network.js"

/**
 * This node does not lead (or does not lead the term the caller named): the
 * command was not taken and never will be from this call. `leaderId` is the
 * leader this node heard from within an election timeout, or null when it
 * knows none it can vouch for.
 */
export class NotLeader extends Data.TaggedError("NotLeader")<{
  readonly leaderId: NodeId | null
  readonly term: number
  /** Set when this node leads but is handing leadership over to this node (handOver.ts): it takes no commands meanwhile. */
  readonly handingOverTo?: NodeId
}> {
  override get message(): string {
    if (this.handingOverTo !== undefined) {
      return `not taking commands in term ${this.term}: leadership is being handed over to ${this.handingOverTo}`
    }
    return this.leaderId === null
      ? `not the leader in term ${this.term}, and no leader heard from recently`
      : `not the leader in term ${this.term}; ${this.leaderId} leads`
  }
}

/**
 * Leadership ended before the command committed, and its entry was
 * overwritten by another leader's: this entry will never be applied. (The
 * caller knows whether another copy of the command exists anywhere.)
 */
export class LeadershipLost extends Data.TaggedError("LeadershipLost")<{ readonly reason: string }> {
  override get message(): string {
    return this.reason
  }
}

/** No outcome within the request timeout: the command may or may not be applied. */
export class RaftTimeout extends Data.TaggedError("RaftTimeout")<{ readonly waitingFor: string }> {
  override get message(): string {
    return `timed out waiting for ${this.waitingFor}`
  }
}

/** A leadership hand-over did not happen (see handOver.ts). */
export class HandOverFailed extends Data.TaggedError("HandOverFailed")<{ readonly reason: string }> {
  override get message(): string {
    return this.reason
  }
}

/** Why a proposal has no result. */
export type ProposalError = NotLeader | LeadershipLost | RaftTimeout

/** Why a read barrier was not passed: nothing was read, so every one of these is safe to retry. */
export type ReadBarrierError = NotLeader | LeadershipLost | RaftTimeout

/**
 * A membership change did not complete: `invalid`, the request names no
 * configuration a cluster may have; `refused`, not now (not the leader,
 * another change under way), before anything entered the log, so the
 * configuration is as it was; `indeterminate`, it may still complete (its
 * entry is in the log, and leadership changed or the wait timed out).
 */
export class MembershipChangeFailed extends Data.TaggedError("MembershipChangeFailed")<{
  readonly reason: string
  readonly outcome: "invalid" | "refused" | "indeterminate"
}> {
  override get message(): string {
    return this.reason
  }
}
