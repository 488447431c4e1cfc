import { Effect } from "effect"
import { majorityReached } from "./quorum.js"
import { configurationInForce, currentTerm, type RaftContext, transition } from "./RaftContext.js"
import type { RaftState } from "./RaftState.js"
import { confirmReads } from "./ReadIndexReads.js"

/**
 * The leader's commit index once a majority stores an entry of its term: the
 * leader counts its own copy as far as it is durable, each follower as far as
 * it confirmed. Read barriers the new commit index vouches for are confirmed.
 */
export const advanceCommit = (context: RaftContext, state: RaftState, term: number): RaftState => {
  const storedOnMajority = majorityReached(
    configurationInForce(context, state).voters,
    (voter) => voter === context.self ? context.log.durableLastIndex() : state.progress.get(voter)?.matchIndex ?? 0
  )
  const commitIndex = context.rules.advanceCommitIndex(context.log, term, state.commitIndex, storedOnMajority)
  if (commitIndex === state.commitIndex) return state
  const next = { ...state, commitIndex }
  confirmReads(context, next)
  return next
}

/**
 * The state once it has seen how far the log is durable now: a log whose
 * changes are durable at once (in memory) needs no later transition for it,
 * and a leader counts its own copy toward a majority at once.
 */
export const seenDurable = (context: RaftContext, state: RaftState): RaftState => {
  const durableIndex = context.log.durableLastIndex()
  if (durableIndex === state.durableIndex) return state
  const durable = { ...state, durableIndex }
  return durable.role === "leader" ? advanceCommit(context, durable, currentTerm(context)) : durable
}

/**
 * More of this node's log became durable: the applier may apply that far,
 * and a leader now counts its own copy that far toward a majority. Run from
 * the log's `whenDurable` by whoever changed the log.
 */
export const logDurable = (context: RaftContext): Effect.Effect<void> =>
  Effect.flatMap(context.state.get, (seen) =>
    // Only the log's writer moves the durable index: nothing to do when the last transition saw it already.
    context.log.durableLastIndex() === seen.durableIndex
      ? Effect.void
      : transition(context, (state) => Effect.succeed([undefined, seenDurable(context, state)] as const)))
