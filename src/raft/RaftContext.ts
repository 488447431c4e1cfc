import { type Cause, Clock, Effect, type PubSub, type Queue, Random, type Ref } from "effect"
import type { LogShape } from "../../services/Log.js"
import type { NetworkShape, NodeId } from "../../services/Network.js"
import type { RaftConfigShape } from "../../services/RaftConfig.js"
import type { RaftObserverShape, RoleChange } from "../../services/RaftObserver.js"
import type { AnyStateMachine } from "../../services/StateMachine.js"
import type { Backlog } from "../../foundation/Backlog.js"
import type { SerialCell } from "../../foundation/SerialCell.js"
import type { Signal } from "../../foundation/Signal.js"
import type { Timeouts } from "../../foundation/Timeouts.js"
import type { PendingProposals } from "./PendingProposals.js"
import type { Proposal } from "./proposer.js"
import type { ConfigurationAt, Configurations } from "./configurations.js"
import { NotLeader } from "./RaftErrors.js"
import type { RaftRulesShape } from "./RaftRules.js"
import type { RaftState } from "./RaftState.js"
import type { ReadIndexReads } from "./ReadIndexReads.js"
import type { SnapshotReceiver } from "./snapshotReceiver.js"

/** Everything one node's fibers share. */
export interface RaftContext {
  readonly self: NodeId
  /**
   * Every other node `init` named: each may be a member (voter or learner)
   * now or later, and Raft's messages are taken from them alone.
   */
  readonly peers: ReadonlyArray<NodeId>
  /** Who votes and who learns, as the log says (configurations.ts): every quorum is a majority of the latest's voters. */
  readonly configurations: Configurations
  readonly config: RaftConfigShape
  readonly rules: RaftRulesShape
  readonly log: LogShape
  readonly network: NetworkShape
  readonly stateMachine: AnyStateMachine
  readonly observer: RaftObserverShape
  /** Changed only by `transition`. */
  readonly state: SerialCell<RaftState>
  /** Rung when a follower may have something to receive (see `transition`), or an answer from it came back. */
  readonly replicateSignals: ReadonlyMap<NodeId, Signal>
  /** Rung when the commit index moved or read barriers were confirmed (see `transition`). */
  readonly applySignal: Signal
  /** Rung when a leader handed over to this node: the election timer campaigns at once (handOver.ts). */
  readonly electionSignal: Signal
  /** Rung when an entry committed and the leader has a configuration step to take (configurationChanges.ts). */
  readonly configurationSignal: Signal
  /** Held by the membership change under way on this leader: one at a time. */
  readonly membershipLock: Effect.Semaphore
  /** Rung when the commit index moved or leadership ended: the proposer waits on it (proposer.ts). */
  readonly proposerSignal: Signal
  readonly roleEvents: Queue.Queue<RoleChange>
  /** Every role change, for whoever watches (Raft.roleChanges). */
  readonly roleWatchers: PubSub.PubSub<RoleChange>
  /** The last entry applied to the state machine (or restored from a snapshot); only the applier moves it. */
  readonly applied: Ref.Ref<number>
  /** The snapshot a follower is receiving from its leader, chunk by chunk. */
  readonly snapshotReceiver: SnapshotReceiver
  readonly pending: PendingProposals
  /** Proposals waiting for the proposer to append them, all at once. */
  readonly proposals: Backlog<Proposal>
  /** Proposals' and read barriers' waits, bounded by the request timeout. */
  readonly requestTimeouts: Timeouts
  readonly reads: ReadIndexReads
  /** When this node (this process) started, by its clock: in lease mode it holds back its vote for a while (leaseRules.ts). */
  readonly startedAtMs: number
  /** Stops the node with this cause (a fiber failed: the node must not go on half-alive). */
  readonly fail: (cause: Cause.Cause<unknown>) => Effect.Effect<void>
}

/**
 * Runs one state transition atomically: no other transition of this node
 * interleaves with it, and it is not interrupted halfway. It never waits for
 * a disk (the Log makes its changes durable later). Then it wakes the fibers
 * its change concerns, so that no caller has to: the applier when it may
 * apply further (the commit index moved within the durable log, or more of a
 * committed log became durable) or read barriers were confirmed; the
 * proposer when the commit index moved or leadership ended; the replicators
 * when a leader's log grew, its leadership began or a read round opened;
 * the configuration follow-ups when a leader's commit calls for a step.
 */
export const transition = <A>(
  context: RaftContext,
  step: (state: RaftState) => Effect.Effect<readonly [A, RaftState]>
): Effect.Effect<A> =>
  context.state.modify((before) => {
    const lastIndexBefore = context.log.lastIndex()
    return Effect.flatMap(step(before), (result) => {
      const rings = wake(context, before, result[1], lastIndexBefore)
      return rings === Effect.void ? Effect.succeed(result) : Effect.as(rings, result)
    })
  })

/** The last entry the applier may apply: committed, and durable here. */
export const applicableIndex = (state: RaftState): number => Math.min(state.commitIndex, state.durableIndex)

/** The rings a change from `before` to `after` calls for (Effect.void when none: most transitions wake no one). */
const wake = (context: RaftContext, before: RaftState, after: RaftState, lastIndexBefore: number): Effect.Effect<void> => {
  const committed = after.commitIndex > before.commitIndex
  const applicable = applicableIndex(after) > applicableIndex(before)
  const barriersConfirmed = context.reads.takeConfirmed()
  const leadershipEnded = before.role === "leader" && after.role !== "leader"
  const replicate = after.role === "leader" &&
    (before.role !== "leader" || context.log.lastIndex() > lastIndexBefore || after.readRound > before.readRound)
  const apply = applicable || barriersConfirmed
  const propose = committed || leadershipEnded
  const configure = committed && context.rules.configurationStep(configurationInForce(context, after), context.self, after) !== null
  if (!apply && !propose && !replicate && !configure) return Effect.void
  const rings: Array<Effect.Effect<void>> = []
  if (configure) rings.push(context.configurationSignal.ring)
  if (apply) rings.push(context.applySignal.ring)
  if (propose) rings.push(context.proposerSignal.ring)
  if (replicate) rings.push(ringAll(context.replicateSignals))
  return rings.length === 1 ? rings[0] : Effect.all(rings, { discard: true })
}

/** A fresh election deadline, random in [min, max] from now. */
export const nextElectionDeadline = (config: RaftConfigShape): Effect.Effect<number> =>
  Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    const { electionTimeoutMaxMs, electionTimeoutMinMs } = config
    return now + (yield* Random.nextIntBetween(electionTimeoutMinMs, electionTimeoutMaxMs + 1))
  })

const ringAll = (signals: ReadonlyMap<NodeId, Signal>): Effect.Effect<void> =>
  Effect.forEach(signals.values(), (signal) => signal.ring, { discard: true })

/**
 * Why this node refuses to lead a command now: NotLeader, naming the leader
 * it follows only if it heard from that leader within an election timeout
 * (a request passed on to a leader that may be gone would only time out).
 */
export const notLeader = (context: RaftContext, state: RaftState): Effect.Effect<NotLeader> =>
  Effect.map(knownLeader(context, state), (leaderId) => {
    const term = currentTerm(context)
    const last = lastRefusals.get(context)
    if (last !== undefined && last.leaderId === leaderId && last.term === term) return last
    const refusal = new NotLeader({ leaderId, term })
    lastRefusals.set(context, refusal)
    return refusal
  })

/**
 * Each node's latest refusal, given again while the leader and term it names
 * hold: a follower refuses every request a client sends it, and an error
 * captures a stack trace when it is built, too dear to pay per request.
 */
const lastRefusals = new WeakMap<RaftContext, NotLeader>()

/** The leader this node heard from within an election timeout (itself when leading), or null. */
export const knownLeader = (context: RaftContext, state: RaftState): Effect.Effect<NodeId | null> =>
  Effect.map(Clock.currentTimeMillis, (now) => {
    const recent = state.role === "leader" || now - state.lastLeaderContactMs < context.config.electionTimeoutMaxMs
    return recent ? state.leaderId : null
  })

/**
 * The current term. It lives in the Log's hard state rather than in
 * RaftState because it must be persisted, with the vote, before any reply
 * that depends on it; every reader goes through here. A decision on it is
 * made inside a transition, so that no other transition changes it meanwhile.
 */
export const currentTerm = (context: RaftContext): number => context.log.hardState().term

/** The configuration this node acts on: the latest in its log, committed or not (RaftRules.configurationInForce). */
export const configurationInForce = (context: RaftContext, state: RaftState): ConfigurationAt =>
  context.rules.configurationInForce(context.configurations, state.commitIndex)
