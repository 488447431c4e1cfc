import { leaseValid } from "./leaseRules.js"
import { majorityReached } from "./quorum.js"
import { configurationInForce, currentTerm, type RaftContext } from "./RaftContext.js"
import type { RaftState } from "./RaftState.js"

/** Stands for "no lease" and "this leader's own, which never runs out" in quorum arithmetic, which needs finite numbers. */
const never = Number.MIN_SAFE_INTEGER
const forever = Number.MAX_SAFE_INTEGER

/**
 * When the lease a majority's answers grant this leader runs out (on its
 * clock): a majority of the voters in force (of each group, while joint),
 * the leader among them, answered requests whose leases run out then or
 * later (RaftRules.leaseExpiresAtMs).
 */
export const leaseExpiry = (context: RaftContext, state: RaftState): number =>
  majorityReached(configurationInForce(context, state).voters, (voter) => {
    if (voter === context.self) return forever
    const progress = state.progress.get(voter)
    if (progress === undefined || progress.ackedSentMs === Number.NEGATIVE_INFINITY) return never
    return context.rules.leaseExpiresAtMs(progress.ackedSentMs, progress.lastContactMs, context.config)
  })

/**
 * Whether this node may pass a read barrier at its commit index now, at
 * `nowMs`, without a ReadIndex round (`--read-mode lease`, leaseRules.ts):
 * it leads, its commit index holds an entry of its term, its lease holds,
 * and it has not been asked to hand leadership over in this term (voters
 * grant the target's vote inside their vote lease, and a TimeoutNow the
 * network delays or repeats may start that election at any later time in
 * the term). Inside a transition.
 */
export const leaseHolds = (context: RaftContext, state: RaftState, nowMs: number): boolean =>
  context.config.readMode === "lease" &&
  state.role === "leader" &&
  state.handingOver === null &&
  context.rules.readsAtCommitIndex(context.log.termAt(state.commitIndex), currentTerm(context)) &&
  leaseValid(nowMs, leaseExpiry(context, state))
