import { type Cause, Clock, Effect, type Queue, Random, SynchronizedRef } from "effect"
import type { LogShape } from "../../services/Log.js"
import type { NetworkShape } from "../../services/Network.js"
import type { RaftConfigShape } from "../../services/RaftConfig.js"
import type { RaftObserverShape, Role } from "../../services/RaftObserver.js"
import type { StateMachineShape } from "../../services/StateMachine.js"
import type { NodeId } from "../protocol/envelope.js"
import { ErrorCode } from "../protocol/errorCodes.js"
import { errorReply } from "../protocol/kvMessages.js"
import type { PendingRequests } from "./PendingRequests.js"
import type { Voters } from "./quorum.js"
import { majorityReached } from "./quorum.js"
import type { ReadIndexReads } from "./ReadIndexReads.js"
import type { RaftRulesShape } from "./RaftRules.js"
import type { RaftState } from "./RaftState.js"
import type { RequestIds } from "./RequestIds.js"
import type { Signal } from "./Signal.js"

/** A role change, as the role supervisor receives it. */
export interface RoleEvent {
  readonly term: number
  readonly role: Role
  readonly leaderId: NodeId | null
}

/** Everything one node's fibers share. */
export interface RaftContext {
  readonly self: NodeId
  /** The cluster's voters, this node included: every quorum is a majority of them (quorum.ts). */
  readonly voters: Voters
  /** The other voters. */
  readonly peers: ReadonlyArray<NodeId>
  readonly config: RaftConfigShape
  readonly rules: RaftRulesShape
  readonly log: LogShape
  readonly network: NetworkShape
  readonly stateMachine: StateMachineShape
  readonly observer: RaftObserverShape
  readonly state: SynchronizedRef.SynchronizedRef<RaftState>
  /** Rung when a follower may have something to receive. */
  readonly replicateSignals: ReadonlyMap<NodeId, Signal>
  /** Rung when a match index moved. */
  readonly commitSignal: Signal
  /** Rung when the commit index moved. */
  readonly applySignal: Signal
  readonly roleEvents: Queue.Queue<RoleEvent>
  readonly pending: PendingRequests
  readonly reads: ReadIndexReads
  readonly requestIds: RequestIds
  /** Stops the node with this cause (a fiber failed: the node must not go on half-alive). */
  readonly fail: (cause: Cause.Cause<unknown>) => Effect.Effect<void>
}

/**
 * Runs one state transition atomically: no other transition of this node
 * interleaves with it, and it is not interrupted halfway (it may persist).
 */
export const transition = <A>(
  context: RaftContext,
  step: (state: RaftState) => Effect.Effect<readonly [A, RaftState]>
): Effect.Effect<A> => Effect.uninterruptible(SynchronizedRef.modifyEffect(context.state, step))

/** A fresh election deadline, random in [min, max] from now. */
export const nextElectionDeadline = (config: RaftConfigShape): Effect.Effect<number> =>
  Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    const { electionTimeoutMaxMs, electionTimeoutMinMs } = config
    return now + (yield* Random.nextIntBetween(electionTimeoutMinMs, electionTimeoutMaxMs + 1))
  })

export const ringAll = (signals: ReadonlyMap<NodeId, Signal>): Effect.Effect<void> =>
  Effect.forEach(signals.values(), (signal) => signal.ring, { discard: true })

/**
 * Becomes (or stays) a follower in `term`, persisting the term if it is new.
 * A leader or candidate that steps down announces it.
 */
export const becomeFollower = (
  context: RaftContext,
  state: RaftState,
  term: number,
  leaderId: NodeId | null
): Effect.Effect<RaftState> =>
  Effect.gen(function*() {
    const hard = context.log.hardState()
    if (term > hard.term) yield* Effect.orDie(context.log.saveHardState({ ...hard, term, votedFor: null }))
    const changed = state.role !== "follower" || term > hard.term || state.leaderId !== leaderId
    const next: RaftState = {
      ...state,
      role: "follower",
      leaderId,
      progress: state.role === "leader" ? new Map() : state.progress,
      electionDeadlineMs: state.role === "follower" ? state.electionDeadlineMs : yield* nextElectionDeadline(context.config)
    }
    if (changed) yield* context.roleEvents.offer({ term, role: "follower", leaderId })
    if (state.role === "leader") {
      yield* context.reads.failWaiting(errorReply(ErrorCode.temporarilyUnavailable, "leadership ended before the read was confirmed"))
    }
    return next
  })

/**
 * Confirms the reads a majority's answers now vouch for, at the commit
 * index, once that index holds an entry of the leader's own term (before
 * that, entries committed by earlier leaders may lie beyond it).
 */
export const confirmReads = (context: RaftContext, state: RaftState): Effect.Effect<void> =>
  Effect.suspend(() => {
    const term = context.log.hardState().term
    if (state.role !== "leader" || context.log.termAt(state.commitIndex) !== term) return Effect.void
    // The leader vouches for itself at the latest round.
    const acknowledged = majorityReached(
      context.voters,
      (voter) => voter === context.self ? state.readRound : state.progress.get(voter)?.ackedRound ?? 0
    )
    const round = context.rules.confirmedReadRound(state.readRound, acknowledged)
    return context.reads.confirm(round, state.commitIndex) ? context.applySignal.ring : Effect.void
  })
