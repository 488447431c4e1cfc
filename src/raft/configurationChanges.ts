import { Clock, Effect, Option } from "effect"
import type { Configuration, Entry } from "../../services/Log.js"
import type { NodeId } from "../../services/Network.js"
import { awaitState } from "./awaitState.js"
import { logDurable, seenDurable } from "./commit.js"
import { describeConfiguration, isJoint, isVoter } from "./configurations.js"
import { becomeFollower } from "./follower.js"
import { sendTimeoutNow } from "./handOver.js"
import { configurationInForce, currentTerm, type RaftContext, transition } from "./RaftContext.js"
import { MembershipChangeFailed } from "./RaftErrors.js"
import type { RaftState } from "./RaftState.js"

/**
 * Membership changes (Raft thesis chapter 4). A change of voters goes
 * through a joint configuration, in which every decision needs a majority of
 * the old voters and one of the new; once the joint configuration is
 * committed the leader appends the final one (as etcd's ConfChangeV2 leaves
 * a joint configuration on its own), and a leader that is no voter of a
 * committed final configuration steps down. A change of learners alone
 * changes no quorum and takes one entry. Nodes that are to become voters
 * join as learners first and are promoted once their logs have caught up,
 * so the new voters do not hold up commits while they fetch the log. One
 * change at a time, and only by a leader that has committed an entry of its
 * own term (so that no change of an earlier leader is still in flight).
 */

/** What an operator asks for. */
export type MembershipRequest =
  | { readonly _tag: "Add"; readonly node: NodeId }
  | { readonly _tag: "Remove"; readonly node: NodeId }
  | { readonly _tag: "Reconfigure"; readonly voters: ReadonlyArray<NodeId>; readonly learners: ReadonlyArray<NodeId> }

/** The voters and learners a change ends with. */
export interface MembershipTarget {
  readonly voters: ReadonlyArray<NodeId>
  readonly learners: ReadonlyArray<NodeId>
}

const invalid = (reason: string) => new MembershipChangeFailed({ reason, outcome: "invalid" })
const refused = (reason: string) => new MembershipChangeFailed({ reason, outcome: "refused" })
const mayStillComplete = (reason: string) => new MembershipChangeFailed({ reason, outcome: "indeterminate" })

const without = (ids: ReadonlyArray<NodeId>, id: NodeId) => ids.filter((other) => other !== id)

/**
 * The configuration `request` asks for, from `current`, or why it is
 * refused: every id one of the nodes `init` named (`nodes`), none twice, at
 * least one voter.
 */
export const membershipTarget = (
  request: MembershipRequest,
  current: Configuration,
  nodes: ReadonlyArray<NodeId>
): MembershipTarget | MembershipChangeFailed => {
  const target: MembershipTarget = request._tag === "Add"
    ? { voters: current.voters.includes(request.node) ? current.voters : [...current.voters, request.node],
      learners: without(current.learners, request.node) }
    : request._tag === "Remove"
    ? { voters: without(current.voters, request.node), learners: without(current.learners, request.node) }
    : { voters: request.voters, learners: request.learners }
  const named = [...target.voters, ...target.learners]
  const unknown = named.find((id) => !nodes.includes(id)) ?? (request._tag === "Reconfigure" ? undefined
    : nodes.includes(request.node) ? undefined : request.node)
  if (unknown !== undefined) return invalid(`${unknown} is not one of the cluster's nodes (${nodes.join(", ")})`)
  const repeated = named.find((id, i) => named.indexOf(id) !== i)
  if (repeated !== undefined) {
    return invalid(
      target.voters.includes(repeated) && target.learners.includes(repeated)
        ? `${repeated} is named both a voter and a learner`
        : `${repeated} is named twice`
    )
  }
  if (target.voters.length === 0) {
    return invalid(
      request._tag === "Remove" ? `${request.node} is the only voter: a cluster needs one`
        : "the voter set is empty: a cluster needs one voter"
    )
  }
  return target
}

const sameIds = (a: ReadonlyArray<NodeId>, b: ReadonlyArray<NodeId>) => a.length === b.length && a.every((id) => b.includes(id))

/** Whether `config` is `target`, whole (not joint). */
export const isTarget = (config: Configuration, target: MembershipTarget): boolean =>
  !isJoint(config) && sameIds(config.voters, target.voters) && sameIds(config.learners, target.learners)

/** The voter of `config` whose log is level with this leader's, to take over from it at once. */
const levelVoter = (context: RaftContext, state: RaftState, config: Configuration): NodeId | undefined =>
  config.voters.find((voter) => (state.progress.get(voter)?.matchIndex ?? 0) >= context.log.lastIndex())

/**
 * The fiber that carries out `configurationStep`, for the node's life:
 * `transition` rings it when an entry committed and there is a step to take.
 */
export const configurationFollowUps = (context: RaftContext): Effect.Effect<never> =>
  Effect.forever(Effect.gen(function*() {
    yield* context.configurationSignal.wait
    const appended = yield* transition(context, (state) =>
      Effect.gen(function*() {
        const latest = configurationInForce(context, state)
        const step = context.rules.configurationStep(latest, context.self, state)
        if (step === "leave-joint") {
          const config: Configuration = { voters: latest.config.voters, learners: latest.config.learners }
          yield* context.log.append([{ term: currentTerm(context), config }])
          yield* Effect.logInfo(`joint configuration committed; entering ${describeConfiguration(config)}`)
          return [true, seenDurable(context, state)] as const
        }
        if (step === "step-down") {
          // A voter level with this log can win at once: tell it to, rather than leave the cluster an election timeout without a leader.
          const successor = levelVoter(context, state, latest.config)
          yield* Effect.logInfo(
            `stepping down: no longer a voter (${describeConfiguration(latest.config)})` +
              (successor === undefined ? "" : `; ${successor} told to take over`)
          )
          if (successor !== undefined) yield* sendTimeoutNow(context, successor)
          return [false, yield* becomeFollower(context, state, currentTerm(context), null)] as const
        }
        return [false, state] as const
      }))
    if (appended) yield* context.log.whenDurable(logDurable(context))
  }))

/** Why this node cannot start a change now, or undefined when it can. Inside a transition. */
const startProblem = (context: RaftContext, state: RaftState, nowMs: number): string | undefined => {
  if (state.role !== "leader") return `${context.self} does not lead`
  if (state.handingOver !== null && nowMs < state.handingOver.untilMs) return "leadership is being handed over"
  const ownTermCommitted = context.log.termAt(state.commitIndex) === currentTerm(context)
  return context.rules.changeBlocked(configurationInForce(context, state), state.commitIndex, ownTermCommitted)
}

/** Where a change's entry went. */
interface AppendedAt {
  readonly index: number
  readonly term: number
}

/**
 * Appends the entry that moves from the current configuration towards
 * `target` (the final one when only learners change, the joint one
 * otherwise) and returns where it went; null when the current configuration
 * is the target already.
 */
const appendChange = (context: RaftContext, target: MembershipTarget): Effect.Effect<AppendedAt | null, MembershipChangeFailed> =>
  transition<AppendedAt | MembershipChangeFailed | null>(context, (state) =>
    Effect.gen(function*() {
      const problem = startProblem(context, state, yield* Clock.currentTimeMillis)
      if (problem !== undefined) return [refused(problem), state] as const
      const current = configurationInForce(context, state).config
      if (isTarget(current, target)) return [null, state] as const
      const term = currentTerm(context)
      // A voter that becomes a learner is both while joint: it still votes in the outgoing group.
      const config: Configuration = sameIds(current.voters, target.voters)
        ? { voters: target.voters, learners: target.learners }
        : { voters: target.voters, learners: target.learners, outgoing: current.voters }
      const entry: Entry = { term, config }
      yield* context.log.append([entry])
      yield* Effect.logInfo(`configuration change: ${describeConfiguration(config)}`)
      const appended: AppendedAt = { index: context.log.lastIndex(), term }
      return [appended, seenDurable(context, state)] as const
    })).pipe(Effect.flatMap((appended) =>
      appended instanceof MembershipChangeFailed
        ? Effect.fail(appended)
        // The leader counts its own copy once it is durable.
        : appended === null ? Effect.succeed(null) : Effect.as(context.log.whenDurable(logDurable(context)), appended)
    ))

/**
 * Waits, as leader of `term`, until `done` gives a value; fails as still
 * possible to complete when leadership of `term` ends first, or the
 * request timeout passes.
 */
const pollUntil = <A>(
  context: RaftContext,
  term: number,
  waitingFor: string,
  done: (state: RaftState) => A | undefined
): Effect.Effect<A, MembershipChangeFailed> =>
  awaitState(context, {
    done,
    giveUp: (state) =>
      state.role !== "leader" || currentTerm(context) !== term
        ? mayStillComplete(`leadership changed while waiting for ${waitingFor}; the change may still complete`)
        : undefined,
    timeoutMs: context.config.requestTimeoutMs,
    timedOut: () =>
      mayStillComplete(`timed out after ${context.config.requestTimeoutMs} ms waiting for ${waitingFor}; the change may still complete`)
  })

/** Waits until `target` is the committed, final configuration (past the entry at `index`). */
const awaitCommitted = (context: RaftContext, appended: AppendedAt, target: MembershipTarget) =>
  pollUntil(context, appended.term, `the configuration ${describeConfiguration({ ...target })} to commit`, (state) => {
    const latest = configurationInForce(context, state)
    return latest.index >= appended.index && latest.index <= state.commitIndex && isTarget(latest.config, target)
      ? latest.config
      : undefined
  })

/** Moves the configuration to `target` and waits until it is committed. */
const moveTo = (context: RaftContext, target: MembershipTarget) =>
  Effect.flatMap(appendChange(context, target), (appended) =>
    appended === null ? Effect.succeed(context.configurations.latest().config) : awaitCommitted(context, appended, target))

/** Waits until each of `learners` holds every entry this leader has committed. */
const awaitCaughtUp = (context: RaftContext, learners: ReadonlyArray<NodeId>) =>
  pollUntil(context, currentTerm(context), `${learners.join(", ")} to catch up`, (state) =>
    learners.every((id) => (state.progress.get(id)?.matchIndex ?? 0) >= state.commitIndex) ? true : undefined)

/**
 * Carries out `request` as leader: newcomers to the voters join as learners
 * and catch up first, then the voters change through the joint
 * configuration. Succeeds with the final configuration once it is committed.
 */
export const changeMembership = (
  context: RaftContext,
  request: MembershipRequest
): Effect.Effect<Configuration, MembershipChangeFailed> =>
  context.membershipLock.withPermitsIfAvailable(1)(Effect.gen(function*() {
    const nodes = context.network.nodeIds
    const current = configurationInForce(context, yield* context.state.get).config
    const target = membershipTarget(request, current, nodes)
    if (target instanceof MembershipChangeFailed) return yield* target
    const newcomers = target.voters.filter((id) => !isVoter(current, id))
    if (newcomers.length > 0) {
      const learning = newcomers.filter((id) => !current.learners.includes(id))
      if (learning.length > 0) yield* moveTo(context, { voters: current.voters, learners: [...current.learners, ...learning] })
      yield* awaitCaughtUp(context, newcomers)
    }
    return yield* moveTo(context, target)
  })).pipe(
    Effect.flatMap(Option.match({
      onNone: () => Effect.fail(refused("another membership change is in progress on this leader")),
      onSome: Effect.succeed
    }))
  )
