import { Cause, Clock, Deferred, Effect, Exit, PubSub, Queue, Ref, Scope } from "effect"
import { Log } from "../../services/Log.js"
import { Network } from "../../services/Network.js"
import { RaftConfig } from "../../services/RaftConfig.js"
import { RaftObserver, type RoleChange } from "../../services/RaftObserver.js"
import { StateMachine } from "../../services/StateMachine.js"
import { makeBacklog } from "../../foundation/Backlog.js"
import { makeSerialCell } from "../../foundation/SerialCell.js"
import { makeSignal } from "../../foundation/Signal.js"
import { makeTimeouts } from "../../foundation/Timeouts.js"
import { applier } from "./applier.js"
import { configurationFollowUps } from "./configurationChanges.js"
import { dispatcher, type RaftApplication } from "./dispatcher.js"
import { electionTimer } from "./election.js"
import { replicator } from "./leader.js"
import { makePendingProposals } from "./PendingProposals.js"
import { type Proposal, proposer } from "./proposer.js"
import { initialConfiguration, trackConfigurations } from "./configurations.js"
import { makeRaft, type Raft } from "./Raft.js"
import { currentTerm, nextElectionDeadline, type RaftContext } from "./RaftContext.js"
import { RaftRules } from "./RaftRules.js"
import { handOverOnStop } from "./handOver.js"
import { recoveryQuestions, startingRecovery } from "./recovery.js"
import { initialRaftState } from "./RaftState.js"
import { makeReadIndexReads } from "./ReadIndexReads.js"
import { makeSnapshotReceiver } from "./snapshotReceiver.js"

/**
 * Starts and stops the leader's fibers (one replicator per follower) as the
 * node's role changes. The leader's fibers live in a
 * scope of their own, closed when leadership ends.
 */
const roleSupervisor = (context: RaftContext) => {
  let leaderScope: Scope.CloseableScope | null = null
  const endLeadership = Effect.suspend(() => {
    const scope = leaderScope
    leaderScope = null
    return scope === null ? Effect.void : Scope.close(scope, Exit.void)
  })
  // Ended with this fiber, not by a finalizer of the node's scope: one added
  // once the fiber runs would close first, before the hand-over on a graceful
  // stop, which needs the replicators to bring its target level.
  return Effect.ensuring(
    Effect.gen(function*() {
      while (true) {
        const event: RoleChange = yield* Queue.take(context.roleEvents)
        yield* endLeadership
        yield* context.observer.roleChanged(event)
        yield* PubSub.publish(context.roleWatchers, event)
        if (event.role !== "leader") continue
        const scope = yield* Scope.make()
        leaderScope = scope
        const supervise = (fiber: Effect.Effect<void>) => Effect.forkIn(Effect.catchAllCause(fiber, context.fail), scope)
        for (const peer of context.peers) yield* supervise(replicator(context, peer, event.term))
      }
    }),
    endLeadership
  )
}

export interface RaftNodeOptions {
  /**
   * Interrupted (a process asked to stop, SIGTERM), a leader hands leadership
   * over before it stops, so the cluster need not wait out an election
   * timeout. Off where an interruption stands for a crash (the simulator).
   */
  readonly handOverWhenInterrupted?: boolean
}

/**
 * One Raft node: election timer, replication, commit advancement, applier,
 * proposer and message dispatcher as fibers in one scope, with the
 * application that `makeApplication` builds on it handling every message
 * that is not Raft's. Runs until the network's incoming queue closes; if any
 * fiber fails (a write to the log that could not be made durable, a broken
 * rule), the node stops with that failure.
 */
export const runRaftNode = <R>(
  makeApplication: (raft: Raft) => Effect.Effect<RaftApplication, never, R>,
  options: RaftNodeOptions = {}
) =>
  Effect.gen(function*() {
    const network = yield* Network
    const failure = yield* Deferred.make<never, unknown>()
    const peers = network.nodeIds.filter((id) => id !== network.self)
    const config = yield* RaftConfig
    const rules = yield* RaftRules
    const { configurations, log } = trackConfigurations(yield* Log, initialConfiguration(network.nodeIds), rules.votersOf)
    const context: RaftContext = {
      self: network.self,
      peers,
      configurations,
      config,
      rules,
      log,
      network,
      stateMachine: yield* StateMachine,
      observer: yield* RaftObserver,
      replicateSignals: new Map(yield* Effect.forEach(peers, (peer) => Effect.map(makeSignal, (s) => [peer, s] as const))),
      applySignal: yield* makeSignal,
      electionSignal: yield* makeSignal,
      configurationSignal: yield* makeSignal,
      membershipLock: yield* Effect.makeSemaphore(1),
      proposerSignal: yield* makeSignal,
      // Entries a snapshot stands for were committed: the commit index starts there.
      state: yield* makeSerialCell({
        // What the log holds on start was read back from its disk: durable.
        ...initialRaftState(yield* nextElectionDeadline(config), log.lastIndex(),
          startingRecovery(log, network.self, configurations.latest().voters)),
        commitIndex: log.snapshot()?.lastIndex ?? 0
      }),
      roleEvents: yield* Queue.unbounded<RoleChange>(),
      roleWatchers: yield* PubSub.unbounded<RoleChange>(),
      applied: yield* Ref.make(0),
      snapshotReceiver: makeSnapshotReceiver(),
      pending: makePendingProposals(),
      proposals: yield* makeBacklog<Proposal>(),
      requestTimeouts: yield* makeTimeouts(config.requestTimeoutMs),
      reads: makeReadIndexReads(),
      startedAtMs: yield* Clock.currentTimeMillis,
      fail: (cause: Cause.Cause<unknown>) =>
        Cause.isInterruptedOnly(cause) ? Effect.void : Deferred.failCause(failure, cause).pipe(Effect.asVoid)
    }
    const snapshotIndex = context.log.firstIndex() - 1
    yield* Effect.logInfo(
      `starting in term ${currentTerm(context)} with ${context.log.lastIndex() - snapshotIndex} log entries` +
        (snapshotIndex > 0 ? ` after a snapshot of entries up to ${snapshotIndex}` : "")
    )

    // A fiber that added finalizers to the node's scope would have them run before the hand-over: none takes a Scope.
    const background = (fiber: Effect.Effect<void>) => Effect.forkScoped(Effect.catchAllCause(fiber, context.fail))
    yield* background(roleSupervisor(context))
    yield* background(applier(context))
    yield* background(proposer(context))
    yield* background(electionTimer(context))
    yield* background(configurationFollowUps(context))
    yield* background(recoveryQuestions(context, peers))
    // Added after the fibers above, so it runs while they still do.
    if (options.handOverWhenInterrupted === true) {
      yield* Effect.addFinalizer((exit) => Exit.isInterrupted(exit) ? handOverOnStop(context) : Effect.void)
    }
    const application = yield* makeApplication(makeRaft(context))
    // A change the disk could not keep stops the node: its memory is ahead of what a restart would find.
    yield* dispatcher(context, application).pipe(
      Effect.raceFirst(Deferred.await(failure)),
      Effect.raceFirst(Effect.orDie(log.failure))
    )
  }).pipe(Effect.scoped)
