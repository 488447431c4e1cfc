import { Clock, Effect } from "effect"
import type { Envelope, NodeId } from "../../services/Network.js"
import type { TimeoutNow } from "../protocol/raftMessages.js"
import { configurationInForce, currentTerm, type RaftContext, transition } from "./RaftContext.js"
import { HandOverFailed } from "./RaftErrors.js"
import type { RaftState } from "./RaftState.js"
import { campaignerHardState } from "./recovery.js"
import { isVoter } from "./configurations.js"
import { awaitState } from "./awaitState.js"

/**
 * Leadership transfer (Raft thesis 3.10). The leader stops taking commands,
 * lets its replicator bring the target's log level with its own, then tells
 * the target TimeoutNow; the target campaigns at once, without PreVote, and
 * its vote requests say so, so that voters grant them inside the vote lease.
 * A hand-over that has not ended within an election timeout gives up: the
 * leader takes commands again. Nothing here changes what is safe: the target
 * still needs a majority of votes under the up-to-date rule.
 */
export interface HandOver {
  readonly to: NodeId
  /** When it gives up. */
  readonly untilMs: number
  /** Whether TimeoutNow went out. */
  readonly told: boolean
}

/** The hand-over under way at `nowMs`, or null (none, or one that gave up). */
export const handOverAt = (state: RaftState, nowMs: number): HandOver | null =>
  state.role === "leader" && state.handingOver !== null && nowMs < state.handingOver.untilMs ? state.handingOver : null

/** The other voters, who may take leadership over. */
const otherVoters = (context: RaftContext, state: RaftState): ReadonlyArray<NodeId> =>
  configurationInForce(context, state).config.voters.filter((voter) => voter !== context.self)

/**
 * The other voter that can win soonest: among those heard from within an
 * election timeout, the one whose log is furthest along; a voter not heard
 * from may be down, so it is chosen only when no other is in touch.
 */
const mostUpToDate = (context: RaftContext, state: RaftState, nowMs: number): NodeId | null => {
  const inTouch = (voter: NodeId) =>
    nowMs - (state.progress.get(voter)?.lastContactMs ?? Number.NEGATIVE_INFINITY) <= context.config.electionTimeoutMaxMs
  let best: NodeId | null = null
  let bestRank: readonly [boolean, number] = [false, -1]
  for (const voter of otherVoters(context, state)) {
    const rank = [inTouch(voter), state.progress.get(voter)?.matchIndex ?? 0] as const
    if (rank[0] > bestRank[0] || (rank[0] === bestRank[0] && rank[1] > bestRank[1])) [best, bestRank] = [voter, rank]
  }
  return best
}

/**
 * Tells the target to campaign once its log is level with this leader's: at
 * the start, or from the answer that brings it level. Inside a transition.
 */
export const tellIfLevel = (context: RaftContext, state: RaftState, nowMs: number): Effect.Effect<RaftState> => {
  const handOver = handOverAt(state, nowMs)
  if (handOver === null || handOver.told) return Effect.succeed(state)
  if ((state.progress.get(handOver.to)?.matchIndex ?? 0) < context.log.lastIndex()) return Effect.succeed(state)
  return Effect.as(sendTimeoutNow(context, handOver.to), { ...state, handingOver: { ...handOver, told: true } })
}

/** Tells `to`, a follower level with this leader's log, to campaign at once. */
export const sendTimeoutNow = (context: RaftContext, to: NodeId): Effect.Effect<void> => {
  const request: TimeoutNow = { type: "timeout_now", term: currentTerm(context), leader_id: context.self }
  // Nothing answers TimeoutNow: the target's vote request is the answer.
  return context.network.rpcThen(to, request, context.config.rpcTimeoutMs, () => Effect.void)
}

/**
 * Starts handing leadership to `to` (or to the most up to date follower),
 * and waits until `ended` says the hand-over went as far as the caller needs:
 * succeeds with what `ended` gave, or fails when this node does not lead,
 * the target is no other member, or the hand-over gave up.
 */
const handOver = <A>(
  context: RaftContext,
  to: NodeId | undefined,
  ended: (state: RaftState) => A | undefined
): Effect.Effect<A, HandOverFailed> =>
  Effect.gen(function*() {
    const { electionTimeoutMaxMs } = context.config
    const started = yield* transition(context, (state) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        if (state.role !== "leader") return [`${context.self} does not lead`, state] as const
        const target = to ?? mostUpToDate(context, state, now)
        const voters = otherVoters(context, state)
        if (target === null || !voters.includes(target)) {
          return [`${target ?? "no one"} is not another voter of the cluster (${voters.join(", ") || "none"})`, state] as const
        }
        if (handOverAt(state, now) !== null) return [`a hand-over to ${state.handingOver!.to} is under way`, state] as const
        const handingOver: HandOver = { to: target, untilMs: now + electionTimeoutMaxMs, told: false }
        yield* Effect.logInfo(`handing leadership over to ${target}: no new commands meanwhile`)
        return [target, yield* tellIfLevel(context, { ...state, handingOver }, now)] as const
      }))
    if (!otherVoters(context, yield* context.state.get).includes(started)) return yield* new HandOverFailed({ reason: started })
    return yield* awaitState(context, {
      done: ended,
      timeoutMs: electionTimeoutMaxMs,
      timedOut: () =>
        new HandOverFailed({ reason: `${started} did not take over within ${electionTimeoutMaxMs} ms; ${context.self} leads on` })
    })
  })

/**
 * Hands leadership over and waits until this node has heard from the new
 * leader (the target's vote request deposed it, its first AppendEntries named
 * it): succeeds with that leader. Asked to hand over to itself, a leader
 * succeeds at once: leadership is already where the operator wants it.
 */
export const handOverLeadership = (context: RaftContext, to?: NodeId): Effect.Effect<NodeId, HandOverFailed> =>
  Effect.flatMap(context.state.get, (state) =>
    to === context.self && state.role === "leader"
      ? Effect.succeed(context.self)
      : handOver(context, to, (now) => now.role !== "leader" && now.leaderId !== null ? now.leaderId : undefined))

/**
 * On a graceful stop, a leader with other members hands over first, and
 * stops once the target was told to campaign (a stopping node no longer
 * takes in the messages that would depose it); a failed hand-over only
 * costs the wait.
 */
export const handOverOnStop = (context: RaftContext): Effect.Effect<void> =>
  Effect.gen(function*() {
    const state = yield* context.state.get
    if (state.role !== "leader" || otherVoters(context, state).length === 0) return
    yield* Effect.logInfo("stopping: handing leadership over first")
    yield* handOver(context, undefined, (now) => now.role !== "leader" || now.handingOver?.told === true ? now : undefined).pipe(
      Effect.flatMap((now) =>
        Effect.logInfo(now.role === "leader" ? `stopping: ${now.handingOver!.to} was told to take over` : "stopping: no longer the leader")
      ),
      Effect.catchTag("HandOverFailed", (failed) => Effect.logWarning(`stopping without a hand-over: ${failed.message}`))
    )
  })

/**
 * TimeoutNow from the leader this node follows, in this term: it campaigns
 * at once (if it may campaign at all), as a transfer.
 */
export const handleTimeoutNow = (context: RaftContext, _envelope: Envelope, request: TimeoutNow) =>
  Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    const told = yield* transition(context, (state) => {
      const fromMyLeader = state.role === "follower" && state.leaderId === request.leader_id && request.term === currentTerm(context)
      return fromMyLeader && isVoter(configurationInForce(context, state).config, context.self) &&
          context.rules.mayCampaign(campaignerHardState(context, state))
        ? Effect.succeed([true, { ...state, electionDeadlineMs: now, campaignAtOnce: true }] as const)
        : Effect.succeed([false, state] as const)
    })
    if (told) {
      yield* Effect.logInfo(`${request.leader_id} hands leadership over to this node: campaigning now`)
      yield* context.electionSignal.ring
    }
  })
