import { quickOptionDecoder } from "../../foundation/quickDecoder.js"
import { Effect, Either } from "effect"
import type { HardState, LogShape } from "../../services/Log.js"
import type { Envelope, NodeId } from "../../services/Network.js"
import { type LogTipQuery, LogTipResult } from "../protocol/raftMessages.js"
import { allVoters, answersReachEveryCommit, type Voters } from "./quorum.js"
import { currentTerm, type RaftContext, transition } from "./RaftContext.js"
import type { RaftState } from "./RaftState.js"
import { isUpToDate, type LogTip } from "./voteRules.js"

/**
 * A node that may have lost entries it acknowledged cannot vote on its own
 * log: a committed entry may have been held by a majority only with it, and
 * its vote for a candidate lacking that entry would lose it. Three cases
 * start a node so, in a cluster of more than one:
 * - its storage is empty: a new node and a wiped disk look the same;
 * - its storage knows it lost records (HardState.caughtUp false: a log
 *   emptied, deleted or damaged, see FileLog);
 * - its log ended in a torn record, dropped at start: a crash in a write,
 *   or a disk that lost a durable suffix, which look the same.
 * It asks the other members where their logs end, and votes for no one (and
 * does not campaign) until enough have answered that one of them holds every
 * committed entry (quorum.ts: with one node's storage lost, which is what
 * Raft survives, 2 of the other 2 in a cluster of 3, 3 of 4 in one of 5). A
 * candidate at least as up to date as every answer then holds every committed
 * entry, and this node may back it, as if its own log ended at the most up
 * to date answer, the floor. So a cluster's first start needs that many
 * members up beside each node, and a node that lost its storage, that many or
 * a leader.
 *
 * It may also have forgotten a vote: it votes in no term that the members
 * that answered had reached (one of them took part in any election this node
 * helped win), as if it had voted for itself there.
 *
 * A floor no more up to date than the node's own log (an empty one, in a new
 * cluster) means it lacks nothing any member can show: unless it already knew
 * it lost records, it trusts its log again. Otherwise the node is durably not
 * caught up (it stays so across restarts) until a leader brings its log level
 * (follower.ts); it never campaigns meanwhile.
 */
export interface Recovery {
  readonly self: NodeId
  /** The members that answered. */
  readonly answered: ReadonlySet<NodeId>
  /** The voters whose answers make the floor trustworthy once they reach every commit (quorum.ts). */
  readonly voters: Voters
  /** The most up to date log end the members have told so far. */
  readonly floor: LogTip
  /** The highest term the members have told so far. */
  readonly highestTerm: number
}

const emptyTip: LogTip = { lastIndex: 0, lastTerm: 0 }

/** This node's log end, as the vote rules compare it. */
export const logTip = (log: LogShape): LogTip => ({ lastIndex: log.lastIndex(), lastTerm: log.termAt(log.lastIndex()) ?? 0 })

/** The recovery a node starts with (see Recovery), or null when its log speaks for it. */
export const startingRecovery = (log: LogShape, self: NodeId, voters: Voters): Recovery | null =>
  allVoters(voters).some((voter) => voter !== self) &&
    (log.lastIndex() === 0 || !log.hardState().caughtUp || log.tornTailDropped)
    ? { self, answered: new Set(), voters, floor: emptyTip, highestTerm: 0 }
    : null

const settled = (recovery: Recovery): boolean => answersReachEveryCommit(recovery.voters, recovery.self, recovery.answered)

/**
 * The hard state and log end the vote rules see: while too few members have
 * answered, not caught up (no vote); once enough have, caught up at the floor.
 */
export const voterView = (context: RaftContext, state: RaftState): { readonly hard: HardState; readonly tip: LogTip } => {
  const hard = context.log.hardState()
  const own = logTip(context.log)
  const { recovery } = state
  if (recovery === null) return { hard, tip: own }
  if (!settled(recovery)) return { hard: { ...hard, caughtUp: false }, tip: own }
  return { hard: { ...hard, caughtUp: true }, tip: isUpToDate(own, recovery.floor) ? own : recovery.floor }
}

/** The hard state the campaign rule sees: a recovering node never campaigns. */
export const campaignerHardState = (context: RaftContext, state: RaftState): HardState => {
  const hard = context.log.hardState()
  return state.recovery === null ? hard : { ...hard, caughtUp: false }
}

/**
 * The answer to `log_tip`: where this node's log ends, durable or not. A
 * leader counts the asker's acknowledgements of entries it appended but may
 * not have made durable yet, and one from before the asker lost its storage
 * may still be on its way: the floor must cover those entries too.
 */
export const answerLogTip = (context: RaftContext, envelope: Envelope, _query: LogTipQuery) => {
  const lastIndex = context.log.lastIndex()
  return context.network.reply(envelope, {
    type: "log_tip_result",
    last_index: lastIndex,
    last_term: context.log.termAt(lastIndex) ?? 0,
    term: currentTerm(context)
  } satisfies LogTipResult)
}

/**
 * A leader reached a recovering node before enough members answered: the
 * node may lack entries that leader's cluster committed, so it is not caught
 * up, durably, until that leader brings it level. Inside a transition.
 */
export const leaderReached = (context: RaftContext, leaderId: NodeId): Effect.Effect<void> =>
  Effect.gen(function*() {
    const hard = context.log.hardState()
    if (!hard.caughtUp) return
    yield* context.log.saveHardState({ ...hard, caughtUp: false })
    yield* Effect.logWarning(`${leaderId} leads, and this node may lack entries it committed: no vote until it catches this node up`)
  })

/** Enough members answered: the node trusts its own log again, or votes at the floor from now on. */
const settle = (context: RaftContext, before: RaftState, recovery: Recovery) =>
  Effect.gen(function*() {
    const { floor, highestTerm } = recovery
    // A vote this node may have given and forgotten is one it keeps: taken by itself.
    const { term, votedFor } = context.log.hardState()
    const behind = highestTerm > term
    if (behind || (highestTerm === term && term > 0 && votedFor === null)) {
      yield* context.log.saveHardState({ ...context.log.hardState(), term: highestTerm, votedFor: context.self })
    }
    const state: RaftState = behind ? { ...before, leaderId: null } : before
    const hard = context.log.hardState()
    const own = logTip(context.log)
    if (hard.caughtUp && isUpToDate(own, floor)) {
      yield* Effect.logInfo(
        own.lastIndex === 0 ? "no other member holds a log: a new cluster"
          : "no other member's log is ahead of this node's: it trusts its own"
      )
      return { ...state, recovery: null } satisfies RaftState
    }
    if (hard.caughtUp) yield* context.log.saveHardState({ ...hard, caughtUp: false })
    yield* Effect.logWarning(
      `${recovery.answered.size} members answered: this node backs only candidates at least as up to date as index ${floor.lastIndex} of term ${floor.lastTerm}, and campaigns once a leader catches it up`
    )
    return { ...state, recovery } satisfies RaftState
  })

/** One member's answer, taken in under the lock. */
const takeAnswer = (context: RaftContext, peer: NodeId, tip: LogTip, term: number) =>
  transition(context, (state) => {
    const { recovery } = state
    if (recovery === null || settled(recovery) || recovery.answered.has(peer)) return Effect.succeed([undefined, state] as const)
    const next: Recovery = {
      ...recovery,
      answered: new Set([...recovery.answered, peer]),
      floor: isUpToDate(tip, recovery.floor) ? tip : recovery.floor,
      highestTerm: Math.max(recovery.highestTerm, term)
    }
    return settled(next)
      ? Effect.map(settle(context, state, next), (settledState) => [undefined, settledState] as const)
      : Effect.succeed([undefined, { ...state, recovery: next }] as const)
  })

const decodeResult = quickOptionDecoder(LogTipResult)

/**
 * Asks every other member its log end (again after a lost answer) until
 * enough have answered; ends at once without a recovery.
 */
export const recoveryQuestions = (context: RaftContext, peers: ReadonlyArray<NodeId>) => {
  const stillWaitingFor = (peer: NodeId) =>
    Effect.map(context.state.get, ({ recovery }) => recovery !== null && !settled(recovery) && !recovery.answered.has(peer))
  const ask = (peer: NodeId): Effect.Effect<void> =>
    Effect.gen(function*() {
      while (yield* stillWaitingFor(peer)) {
        const answer = yield* Effect.either(
          context.network.rpc(peer, { type: "log_tip" } satisfies LogTipQuery, context.config.rpcTimeoutMs)
        )
        const result = Either.isRight(answer) ? decodeResult(answer.right) : undefined
        if (result?._tag === "Some") {
          return yield* takeAnswer(context, peer, { lastIndex: result.value.last_index, lastTerm: result.value.last_term },
            result.value.term)
        }
        yield* Effect.sleep(context.config.heartbeatMs)
      }
    })
  return Effect.flatMap(context.state.get,
    (state) => state.recovery === null ? Effect.void : Effect.forEach(peers, ask, { concurrency: "unbounded", discard: true }))
}
