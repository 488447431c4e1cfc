import { Clock, Effect, Option, Schema } from "effect"
import type { NodeId } from "../protocol/envelope.js"
import { type AppendEntries, AppendEntriesResult } from "../protocol/raftMessages.js"
import { nextIndexAfterRejection, rejectionProvesLoss } from "./leaderRules.js"
import { majorityReached } from "./quorum.js"
import { becomeFollower } from "./follower.js"
import { currentTerm, type RaftContext, transition } from "./RaftContext.js"
import { confirmReads } from "./ReadIndexReads.js"
import { type RaftState, updateProgress } from "./RaftState.js"

const decodeResult = Schema.decodeUnknownOption(AppendEntriesResult)

/** Becomes leader of `term`: a no-op entry first, so that entries of earlier terms can commit. */
export const becomeLeader = (context: RaftContext, state: RaftState, term: number) =>
  Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    const nextIndex = context.log.lastIndex() + 1
    // Elected by a majority under the up-to-date rule, this log holds every committed entry.
    const hard = context.log.hardState()
    if (!hard.caughtUp) yield* Effect.orDie(context.log.saveHardState({ ...hard, caughtUp: true }))
    yield* Effect.orDie(context.log.append(context.rules.electionEntries(term)))
    const progress = new Map(context.peers.map((peer) => [peer, {
      nextIndex,
      matchIndex: 0,
      inflight: 0,
      probing: true,
      lastSentMs: Number.NEGATIVE_INFINITY,
      lastContactMs: now,
      sentRound: 0,
      ackedRound: 0,
      sentCount: 0,
      sentBeforeMatch: 0,
      sentBeforeLoss: 0
    }]))
    yield* context.roleEvents.offer({ term, role: "leader", leaderId: context.self })
    return { ...state, role: "leader", leaderId: context.self, progress, readRound: 0 } satisfies RaftState
  })

const isLeaderOf = (context: RaftContext, state: RaftState, term: number) =>
  state.role === "leader" && currentTerm(context) === term

/**
 * Decides whether to send `peer` an AppendEntries now, and if so which, and
 * records it as in flight. New entries, and reads waiting for a round, go at
 * once; an idle follower gets an empty one every heartbeat. While probing,
 * one request at a time; once the follower's position is known, up to
 * `maxInflightPerPeer` pipelined.
 */
const nextRequest = (context: RaftContext, peer: NodeId, term: number) =>
  transition(context, (state) =>
    Effect.gen(function*() {
      const progress = state.progress.get(peer)
      if (progress === undefined || !isLeaderOf(context, state, term)) return [Option.none(), state] as const
      const now = yield* Clock.currentTimeMillis
      const { heartbeatMs, maxEntriesPerMessage, maxInflightPerPeer } = context.config
      const lastIndex = context.log.lastIndex()
      const window = progress.probing ? 1 : maxInflightPerPeer
      const hasNew = progress.nextIndex <= lastIndex
      const heartbeatDue = now - progress.lastSentMs >= heartbeatMs
      const readWaiting = state.readRound > progress.sentRound
      if (progress.inflight >= window || !(hasNew || heartbeatDue || readWaiting)) {
        return [Option.none(), state] as const
      }
      const prevIndex = progress.nextIndex - 1
      const entries = context.log.slice(progress.nextIndex, Math.min(lastIndex, prevIndex + maxEntriesPerMessage))
      const request: AppendEntries = {
        type: "append_entries",
        term,
        leader_id: context.self,
        prev_log_index: prevIndex,
        prev_log_term: context.log.termAt(prevIndex) ?? 0,
        entries,
        leader_commit: state.commitIndex
      }
      const next = updateProgress(state, peer, (p) => ({
        ...p,
        inflight: p.inflight + 1,
        sentCount: p.sentCount + 1,
        lastSentMs: now,
        sentRound: state.readRound,
        nextIndex: p.probing ? p.nextIndex : p.nextIndex + entries.length
      }))
      return [Option.some({ request, round: state.readRound, number: progress.sentCount + 1 }), next] as const
    })
  )

/** An AppendEntries as sent, with the read round it vouches for and its number among those sent to the follower. */
interface Sent {
  readonly request: AppendEntries
  readonly round: number
  readonly number: number
}

/** Takes in a follower's answer (or its absence) to one AppendEntries. */
const handleResult = (
  context: RaftContext,
  peer: NodeId,
  { number, request, round }: Sent,
  result: Option.Option<AppendEntriesResult>
) =>
  transition(context, (state) =>
    Effect.gen(function*() {
      const released = updateProgress(state, peer, (p) => ({ ...p, inflight: Math.max(0, p.inflight - 1) }))
      if (!isLeaderOf(context, released, request.term)) return [false, released] as const
      if (result._tag === "None") {
        // Lost or late: resume from what the follower surely has, one request at a time.
        return [false, updateProgress(released, peer, (p) => ({ ...p, probing: true, nextIndex: p.matchIndex + 1 }))] as const
      }
      const answer = result.value
      if (context.rules.deposes(answer.term, request.term)) {
        return [false, yield* becomeFollower(context, released, answer.term, null)] as const
      }
      // Any answer in this term, success or not, acknowledges this leader: for CheckQuorum and ReadIndex.
      const now = yield* Clock.currentTimeMillis
      const touched = updateProgress(released, peer, (p) => ({
        ...p,
        lastContactMs: now,
        ackedRound: Math.max(p.ackedRound, round)
      }))
      yield* confirmReads(context, touched)
      // Answers to requests sent before the follower was found to have lost entries describe a log it no longer has.
      if (number <= touched.progress.get(peer)!.sentBeforeLoss) return [false, touched] as const
      if (answer.success) {
        const next = updateProgress(touched, peer, (p) => {
          const matchIndex = Math.max(p.matchIndex, answer.match_index)
          const sentBeforeMatch = matchIndex > p.matchIndex ? p.sentCount : p.sentBeforeMatch
          return { ...p, matchIndex, sentBeforeMatch, nextIndex: Math.max(p.nextIndex, matchIndex + 1), probing: false }
        })
        return [next.progress.get(peer)!.matchIndex > released.progress.get(peer)!.matchIndex, next] as const
      }
      const progress = touched.progress.get(peer)!
      const hint = { conflictIndex: answer.conflict_index ?? progress.matchIndex + 1, conflictTerm: answer.conflict_term }
      if (rejectionProvesLoss(progress, number, request.prev_log_index, hint)) {
        // Its confirmations no longer hold: count nothing from it until it confirms again.
        yield* Effect.logWarning(
          `${peer} lost log entries it had confirmed up to ${progress.matchIndex} (its log now ends before or conflicts at ${hint.conflictIndex}); replicating to it again`
        )
        const nextIndex = nextIndexAfterRejection(context.log, 0, hint)
        return [false, updateProgress(touched, peer, (p) => ({ ...p, matchIndex: 0, sentBeforeLoss: p.sentCount, nextIndex, probing: true }))] as const
      }
      // A rejection of a request older than what the follower has since confirmed says nothing new.
      if (request.prev_log_index < progress.matchIndex) return [false, touched] as const
      const nextIndex = nextIndexAfterRejection(context.log, progress.matchIndex, hint)
      return [false, updateProgress(touched, peer, (p) => ({ ...p, nextIndex, probing: true }))] as const
    })
  )

const sendAndHandle = (context: RaftContext, peer: NodeId, sent: Sent) =>
  Effect.gen(function*() {
    const result = yield* context.network.rpc(peer, sent.request, context.config.rpcTimeoutMs).pipe(
      Effect.map(decodeResult),
      Effect.catchTag("RpcTimeout", () => Effect.succeed(Option.none()))
    )
    const matchMoved = yield* handleResult(context, peer, sent, result)
    if (matchMoved) yield* context.commitSignal.ring
    yield* context.replicateSignals.get(peer)!.ring
  })

/**
 * The replicator for one follower, while this node leads `term`: wakes when
 * there are new entries, an answer came back, or the heartbeat ticks, and
 * sends whatever the window allows. Each request's answer is awaited in a
 * child fiber, so requests are pipelined.
 */
export const replicator = (context: RaftContext, peer: NodeId, term: number) =>
  Effect.gen(function*() {
    const signal = context.replicateSignals.get(peer)!
    // One ticker per follower: a long-lived sleep is far cheaper than a timeout around every wait.
    yield* Effect.fork(Effect.forever(Effect.zipRight(Effect.sleep(context.config.heartbeatMs), signal.ring)))
    while (isLeaderOf(context, yield* context.state.get, term)) {
      let request = yield* nextRequest(context, peer, term)
      while (request._tag === "Some") {
        yield* Effect.fork(sendAndHandle(context, peer, request.value).pipe(Effect.catchAllCause(context.fail)))
        request = yield* nextRequest(context, peer, term)
      }
      yield* signal.wait
    }
  })

/** While this node leads `term`: advances the commit index whenever a match index moves. */
export const commitAdvancer = (context: RaftContext, term: number) =>
  Effect.gen(function*() {
    while (isLeaderOf(context, yield* context.state.get, term)) {
      const advanced = yield* transition(context, (state) => {
        if (!isLeaderOf(context, state, term)) return Effect.succeed([false, state] as const)
        const storedOnMajority = majorityReached(
          context.voters,
          (voter) => voter === context.self ? context.log.lastIndex() : state.progress.get(voter)?.matchIndex ?? 0
        )
        const commitIndex = context.rules.advanceCommitIndex(context.log, term, state.commitIndex, storedOnMajority)
        const next = { ...state, commitIndex }
        return Effect.as(confirmReads(context, next), [commitIndex > state.commitIndex, next] as const)
      })
      if (advanced) yield* context.applySignal.ring
      yield* context.commitSignal.wait
    }
  })
