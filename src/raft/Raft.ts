import { Clock, Deferred, Effect, Either, PubSub, type Queue, Ref, type Scope } from "effect"
import type { Configuration } from "../../services/Log.js"
import type { NodeId } from "../../services/Network.js"
import type { Role, RoleChange } from "../../services/RaftObserver.js"
import { configurationInForce, currentTerm, knownLeader, notLeader, type RaftContext, transition } from "./RaftContext.js"
import { handOverLeadership } from "./handOver.js"
import { changeMembership, type MembershipRequest } from "./configurationChanges.js"
import { type HandOverFailed, type MembershipChangeFailed, type NotLeader, type ProposalError, RaftTimeout,
  type ReadBarrierError } from "./RaftErrors.js"
import { confirmReads } from "./ReadIndexReads.js"
import { leaseHolds } from "./leaseReads.js"
import { makeSettlement, type Settlement } from "./Settlement.js"
import type { RaftState } from "./RaftState.js"

export interface ProposeOptions {
  /**
   * Only the leader of this very term may take the command. A command passed
   * on to the leader of a term names it: if leadership moves on meanwhile,
   * no other leader runs it, so a copy the network repeats runs at most once.
   */
  readonly term?: number
}

/** What a node knows of itself now. */
export interface RaftStatus {
  readonly self: NodeId
  readonly role: Role
  readonly term: number
  /** The leader this node heard from within an election timeout (itself when leading), or null. */
  readonly leaderId: NodeId | null
  readonly commitIndex: number
}

/** How far this node's log and state machine have come, for an operator to read. */
export interface RaftProgress {
  readonly commitIndex: number
  /** The last entry applied to the state machine (or restored from a snapshot). */
  readonly appliedIndex: number
  /** The entries the log holds, from the first after its snapshot to the last. */
  readonly firstLogIndex: number
  readonly lastLogIndex: number
  /** The last entry the snapshot stands for (0 when there is none). */
  readonly snapshotIndex: number
}

/**
 * The Raft engine as an application uses it. Commands are the application's
 * own JSON values, never opened here: they reach the state machine's `apply`
 * in log order once committed, on every node.
 */
export interface Raft {
  readonly self: NodeId
  /** The other members. */
  readonly peers: ReadonlyArray<NodeId>
  /**
   * Proposes a command; `onOutcome` gets, exactly once, the state machine's
   * result once the command is applied, or why there is none: NotLeader (not
   * taken), LeadershipLost (its entry was overwritten: never applied),
   * RaftTimeout (no outcome within the request timeout: it may or may not be
   * applied). Nothing waits: `onOutcome` runs on whichever fiber learns the
   * outcome, so it must not block.
   */
  readonly proposeThen: (
    command: unknown,
    onOutcome: (outcome: Either.Either<unknown, ProposalError>) => Effect.Effect<void>,
    options?: ProposeOptions
  ) => Effect.Effect<void>
  /** `proposeThen`, waiting for the outcome. */
  readonly propose: (command: unknown, options?: ProposeOptions) => Effect.Effect<unknown, ProposalError>
  /**
   * A linearizable read barrier (ReadIndex): `onOutcome` succeeds once this
   * node has been confirmed the leader by a majority after the call (or, in
   * lease mode, its lease held at the call: leaseReads.ts) and has applied
   * every entry committed before it. It runs on the applier's fiber,
   * so the state machine queried inside it holds exactly that state; it must
   * not block.
   */
  readonly readBarrierThen: (
    onOutcome: (outcome: Either.Either<void, ReadBarrierError>) => Effect.Effect<void>,
    options?: ProposeOptions
  ) => Effect.Effect<void>
  /** `readBarrierThen`, waiting for it. A query made after it is linearizable only if nothing is applied meanwhile. */
  readonly readBarrier: (options?: ProposeOptions) => Effect.Effect<void, ReadBarrierError>
  readonly status: Effect.Effect<RaftStatus>
  /** Read only: the indexes of commit, apply, log and snapshot now. */
  readonly progress: Effect.Effect<RaftProgress>
  /**
   * Hands leadership over to `to` (or to the most up to date other member):
   * takes no commands meanwhile, and succeeds with the new leader once this
   * node has heard from it (see handOver.ts).
   */
  readonly handOver: (to?: NodeId) => Effect.Effect<NodeId, HandOverFailed>
  /** The latest configuration in this node's log, committed or not: the one it acts on. */
  readonly configuration: Effect.Effect<Configuration>
  /**
   * As leader, changes who votes and who learns (configurationChanges.ts):
   * succeeds with the final configuration once it is committed.
   */
  readonly changeMembership: (request: MembershipRequest) => Effect.Effect<Configuration, MembershipChangeFailed>
  /** Every role change from now on, for as long as the scope lasts. */
  readonly roleChanges: Effect.Effect<Queue.Dequeue<RoleChange>, never, Scope.Scope>
}

const waitFor = <A, E>(start: (onOutcome: (outcome: Either.Either<A, E>) => Effect.Effect<void>) => Effect.Effect<void>) =>
  Effect.gen(function*() {
    const outcome = yield* Deferred.make<A, E>()
    yield* start((exit) => Deferred.complete(outcome, exit))
    return yield* Deferred.await(outcome)
  })

/** Whether a leader of the current term may take a command that names `term`. */
const leads = (context: RaftContext, role: Role, term: number | undefined) =>
  role === "leader" && (term === undefined || term === currentTerm(context))

export const makeRaft = (context: RaftContext): Raft => {
  // The request path, once per client request: plain combinators rather than generators, which cost more.
  const proposeThen: Raft["proposeThen"] = (command, onOutcome, options) =>
    Effect.flatMap(context.state.get, (seen) => {
      const settlement = makeSettlement(onOutcome)
      // A follower refuses without the state lock: the proposer checks again under it.
      if (!leads(context, seen.role, options?.term)) {
        return Effect.flatMap(notLeader(context, seen), (refused) => settlement.settle(Either.left(refused)))
      }
      return Effect.zipRight(
        context.proposals.add({ command, term: options?.term, settlement }),
        context.requestTimeouts.start(
          settlement.settled,
          // Built only if it expires: an error captures a stack trace, too dear for every proposal.
          Effect.suspend(() => settlement.settle(Either.left(new RaftTimeout({ waitingFor: "commit" }))))
        )
      )
    })

  const readBarrierThen: Raft["readBarrierThen"] = (onOutcome, options) =>
    Effect.flatMap(context.state.get, (seen) => {
      const barrier = makeSettlement(onOutcome)
      // A follower refuses without the state lock, as for proposals; a leader checks again under it.
      if (!leads(context, seen.role, options?.term)) {
        return Effect.flatMap(notLeader(context, seen), (refused) => barrier.settle(Either.left(refused)))
      }
      return openBarrier(barrier, options)
    })

  const openBarrier = (barrier: Settlement<void, ReadBarrierError>, options: ProposeOptions | undefined) => {
    const opened = transition(context, (state) => {
      if (!leads(context, state.role, options?.term)) {
        return Effect.map(notLeader(context, state), (refused) => [refused as NotLeader | null, state] as const)
      }
      if (context.config.readMode === "lease") {
        // The clock is read here, under the lock, as the read is decided: a leader paused before this finds its lease ran out.
        return Effect.map(Clock.currentTimeMillis, (now) => {
          if (!leaseHolds(context, state, now)) return readIndexRound(barrier, state)
          context.reads.confirmNow(barrier, state.commitIndex)
          return [null as NotLeader | null, state] as const
        })
      }
      return Effect.succeed(readIndexRound(barrier, state))
    })
    return Effect.flatMap(opened, (refused) =>
      refused !== null ? barrier.settle(Either.left(refused)) : context.requestTimeouts.start(
        barrier.settled,
        Effect.suspend(() =>
          barrier.settle(Either.left(
            new RaftTimeout({
              waitingFor: context.reads.isConfirmed(barrier)
                ? "the state machine to apply the entries committed before the read"
                : "a majority to confirm this node still leads"
            })
          ))
        )
      ))
  }

  /** A barrier takes no log entry: it waits for a majority to confirm this leader after it was asked. */
  const readIndexRound = (barrier: Settlement<void, ReadBarrierError>, state: RaftState) => {
    const reading = { ...state, readRound: state.readRound + 1 }
    context.reads.wait(reading.readRound, barrier)
    confirmReads(context, reading)
    return [null as NotLeader | null, reading] as const
  }

  return {
    self: context.self,
    peers: context.peers,
    proposeThen,
    propose: (command, options) => waitFor((onOutcome) => proposeThen(command, onOutcome, options)),
    readBarrierThen,
    readBarrier: (options) => waitFor((onOutcome) => readBarrierThen(onOutcome, options)),
    // Asked once per forwarded write: plain combinators.
    status: Effect.flatMap(context.state.get, (state) =>
      Effect.map(knownLeader(context, state), (leaderId) => ({
        self: context.self,
        role: state.role,
        term: currentTerm(context),
        leaderId,
        commitIndex: state.commitIndex
      }))),
    progress: Effect.flatMap(context.state.get, (state) =>
      Effect.map(Ref.get(context.applied), (appliedIndex) => ({
        commitIndex: state.commitIndex,
        appliedIndex,
        firstLogIndex: context.log.firstIndex(),
        lastLogIndex: context.log.lastIndex(),
        snapshotIndex: context.log.snapshot()?.lastIndex ?? 0
      }))),
    roleChanges: PubSub.subscribe(context.roleWatchers),
    handOver: (to) => handOverLeadership(context, to),
    configuration: Effect.map(context.state.get, (state) => configurationInForce(context, state).config),
    changeMembership: (request) => changeMembership(context, request)
  }
}
