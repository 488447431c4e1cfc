import { type Cause, Clock, Effect, type Queue, Random, type Ref, SynchronizedRef } from "effect"
import type { LogShape } from "../../services/Log.js"
import type { Backlog } from "../Backlog.js"
import type { NetworkShape } from "../../services/Network.js"
import type { RaftConfigShape } from "../../services/RaftConfig.js"
import type { RaftObserverShape } from "../../services/RaftObserver.js"
import type { StateMachineShape } from "../../services/StateMachine.js"
import type { NodeId } from "../protocol/envelope.js"
import type { ForwardedRequests, ForwardId } from "./Forwarding.js"
import type { PendingRequests } from "./PendingRequests.js"
import type { Proposal } from "./proposer.js"
import type { Voters } from "./quorum.js"
import type { ReadIndexReads } from "./ReadIndexReads.js"
import type { RaftRulesShape } from "./RaftRules.js"
import type { RaftState } from "./RaftState.js"
import type { RoleChange } from "./RoleChange.js"
import type { Signal } from "../Signal.js"
import type { SnapshotReceiver } from "./snapshotReceiver.js"
import type { Timeouts } from "../Timeouts.js"

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
  /** Rung when the leader's commit index moved or its leadership ended: the proposer waits on it (proposer.ts). */
  readonly proposerSignal: Signal
  readonly roleEvents: Queue.Queue<RoleChange>
  /** The last entry applied to the state machine (or restored from a snapshot); only the applier moves it. */
  readonly applied: Ref.Ref<number>
  /** The snapshot a follower is receiving from its leader, chunk by chunk. */
  readonly snapshotReceiver: SnapshotReceiver
  readonly pending: PendingRequests
  /** Writes and cas waiting for the proposer to append them, all at once. */
  readonly proposals: Backlog<Proposal>
  /** Client requests' waits, bounded by the request timeout. */
  readonly requestTimeouts: Timeouts
  readonly reads: ReadIndexReads
  /** The forwards taken as leader in the current term, and the ids of this node's own forwards. */
  readonly forwarded: ForwardedRequests
  readonly nextForwardId: () => ForwardId
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
 * The current term. It lives in the Log's hard state rather than in
 * RaftState because it must be persisted, with the vote, before any reply
 * that depends on it; every reader goes through here. A decision on it is
 * made inside a transition, so that no other transition changes it meanwhile.
 */
export const currentTerm = (context: RaftContext): number => context.log.hardState().term
