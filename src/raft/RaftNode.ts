import { Cause, Deferred, Effect, Exit, Queue, Random, Ref, Scope, SynchronizedRef } from "effect"
import { Log } from "../../services/Log.js"
import { Network } from "../../services/Network.js"
import { RaftConfig } from "../../services/RaftConfig.js"
import { RaftObserver } from "../../services/RaftObserver.js"
import { StateMachine } from "../../services/StateMachine.js"
import { describeFailure } from "../describeFailure.js"
import { ErrorCode } from "../protocol/errorCodes.js"
import { errorReply } from "../protocol/kvMessages.js"
import { applier } from "./applier.js"
import { dispatcher } from "./dispatcher.js"
import { electionTimer } from "./election.js"
import { makeInFlightRequests } from "./InFlightRequests.js"
import { makeForwardedRequests, makeForwardIds } from "./Forwarding.js"
import { makePendingRequests } from "./PendingRequests.js"
import { type Proposal, proposer } from "./proposer.js"
import { currentTerm, nextElectionDeadline, type RaftContext } from "./RaftContext.js"
import type { RoleChange } from "./RoleChange.js"
import { RaftRules } from "./RaftRules.js"
import { initialRaftState } from "./RaftState.js"
import { commitAdvancer, replicator } from "./leader.js"
import { votersOf } from "./quorum.js"
import { makeReadIndexReads } from "./ReadIndexReads.js"
import { makeSignal } from "../Signal.js"
import { makeBacklog } from "../Backlog.js"
import { makeSnapshotReceiver } from "./snapshotReceiver.js"
import { makeTimeouts } from "../Timeouts.js"

/**
 * Starts and stops the leader's fibers (one replicator per follower and the
 * commit advancer) as the node's role changes. The leader's fibers live in a
 * scope of their own, closed when leadership ends.
 */
const roleSupervisor = (context: RaftContext) =>
  Effect.gen(function*() {
    let leaderScope: Scope.CloseableScope | null = null
    const endLeadership = Effect.suspend(() => {
      const scope = leaderScope
      leaderScope = null
      return scope === null ? Effect.void : Scope.close(scope, Exit.void)
    })
    yield* Effect.addFinalizer(() => endLeadership)
    while (true) {
      const event: RoleChange = yield* Queue.take(context.roleEvents)
      yield* endLeadership
      yield* context.observer.roleChanged(event)
      if (event.role !== "leader") continue
      const scope = yield* Scope.make()
      leaderScope = scope
      const supervise = (fiber: Effect.Effect<void>) =>
        Effect.forkIn(Effect.catchAllCause(fiber, context.fail), scope)
      for (const peer of context.peers) yield* supervise(replicator(context, peer, event.term))
      yield* supervise(commitAdvancer(context, event.term))
    }
  })

/**
 * One Raft node: election timer, replication, commit advancement, applier,
 * proposer and request dispatcher as fibers in one scope. Runs until the network's
 * incoming queue closes; if any fiber fails (a write to the log that could
 * not be made durable, a broken rule), the node stops with that failure, and
 * every request it has not answered gets an indefinite error saying why.
 */
export const runRaftNode = Effect.gen(function*() {
  const network = yield* Network
  const failure = yield* Deferred.make<never, unknown>()
  const peers = network.nodeIds.filter((id) => id !== network.self)
  const config = yield* RaftConfig
  const log = yield* Log
  const context: RaftContext = {
    self: network.self,
    peers,
    voters: votersOf(network.nodeIds),
    config,
    rules: yield* RaftRules,
    log,
    network,
    stateMachine: yield* StateMachine,
    observer: yield* RaftObserver,
    replicateSignals: new Map(yield* Effect.forEach(peers, (peer) => Effect.map(makeSignal, (s) => [peer, s] as const))),
    commitSignal: yield* makeSignal,
    applySignal: yield* makeSignal,
    proposerSignal: yield* makeSignal,
    // Entries a snapshot stands for were committed: the commit index starts there.
    state: yield* SynchronizedRef.make({
      ...initialRaftState(yield* nextElectionDeadline(config)),
      commitIndex: log.snapshot()?.lastIndex ?? 0
    }),
    roleEvents: yield* Queue.unbounded<RoleChange>(),
    applied: yield* Ref.make(0),
    snapshotReceiver: makeSnapshotReceiver(),
    pending: makePendingRequests(),
    proposals: yield* makeBacklog<Proposal>(),
    requestTimeouts: yield* makeTimeouts(config.requestTimeoutMs),
    reads: makeReadIndexReads(),
    forwarded: makeForwardedRequests(),
    // A random incarnation per start keeps this node's forward ids unique across its restarts.
    nextForwardId: makeForwardIds(network.self, yield* Random.nextIntBetween(0, 2 ** 31)),
    fail: (cause: Cause.Cause<unknown>) =>
      Cause.isInterruptedOnly(cause) ? Effect.void : Deferred.failCause(failure, cause).pipe(Effect.asVoid)
  }
  const snapshotIndex = context.log.firstIndex() - 1
  yield* Effect.logInfo(
    `starting in term ${currentTerm(context)} with ${context.log.lastIndex() - snapshotIndex} log entries` +
      (snapshotIndex > 0 ? ` after a snapshot of entries up to ${snapshotIndex}` : "")
  )

  const background = (fiber: Effect.Effect<void, never, Scope.Scope>) =>
    Effect.forkScoped(Effect.catchAllCause(fiber, context.fail))
  yield* background(roleSupervisor(context))
  yield* background(applier(context))
  yield* background(proposer(context))
  yield* background(electionTimer(context))
  const inFlight = makeInFlightRequests(network)
  yield* Effect.raceFirst(dispatcher(context, inFlight), Deferred.await(failure)).pipe(
    Effect.onError((cause) =>
      Cause.isInterruptedOnly(cause)
        ? Effect.void
        : inFlight.answerAll(
          errorReply(ErrorCode.crash, `${network.self} stopped: ${describeFailure(cause)}; the operation may or may not have happened`)
        ))
  )
}).pipe(Effect.scoped)
