import { quickOptionDecoder } from "../../foundation/quickDecoder.js"
import { Clock, Effect, Either, Option } from "effect"
import type { Snapshot, SnapshotChunk } from "../../services/Log.js"
import type { Body, NodeId, RpcTimeout } from "../../services/Network.js"
import {
  type AppendEntries,
  AppendEntriesResult,
  type InstallSnapshot,
  InstallSnapshotResult
} from "../protocol/raftMessages.js"
import { nextIndexAfterRejection, rejectionProvesLoss } from "./leaderRules.js"
import { becomeFollower } from "./follower.js"
import { currentTerm, type RaftContext, transition } from "./RaftContext.js"
import { tellIfLevel } from "./handOver.js"
import { confirmReads } from "./ReadIndexReads.js"
import { advanceCommit } from "./commit.js"
import * as Progress from "./PeerProgress.js"
import { type RaftState, updateProgress, withProgress } from "./RaftState.js"

const decodeAppendResult = quickOptionDecoder(AppendEntriesResult)
const decodeInstallResult = quickOptionDecoder(InstallSnapshotResult)

/** Becomes leader of `term`: a no-op entry first, so that entries of earlier terms can commit. */
export const becomeLeader = (context: RaftContext, state: RaftState, term: number) =>
  Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    const nextIndex = context.log.lastIndex() + 1
    // Elected by a majority under the up-to-date rule, this log holds every committed entry.
    const hard = context.log.hardState()
    if (!hard.caughtUp) yield* context.log.saveHardState({ ...hard, caughtUp: true })
    yield* context.log.append(context.rules.electionEntries(term))
    const progress = new Map(context.peers.map((peer) => [peer, Progress.newPeerProgress(nextIndex, now)]))
    yield* context.roleEvents.offer({ term, role: "leader", leaderId: context.self })
    return {
      ...state,
      role: "leader",
      leaderId: context.self,
      progress,
      readRound: 0,
      handingOver: null,
      campaignAtOnce: false
    } satisfies RaftState
  })

const isLeaderOf = (context: RaftContext, state: RaftState, term: number) => state.role === "leader" && currentTerm(context) === term

/**
 * Whether the leader sends `peer` anything: a member of the latest
 * configuration; or one the latest change left out, until it holds that
 * change (so that it learns it is out, and does not campaign).
 */
const replicatesTo = (context: RaftContext, peer: NodeId, progress: Progress.PeerProgress): boolean => {
  const latest = context.configurations.latest()
  return latest.members.has(peer) || (context.configurations.previous().members.has(peer) && progress.matchIndex < latest.index)
}

/** Chunk `index` of `snapshot`, as read from the log, for the follower. */
const chunkRequest = (context: RaftContext, unread: UnreadChunk, chunk: SnapshotChunk): InstallSnapshot => ({
  type: "install_snapshot",
  term: unread.term,
  leader_id: context.self,
  last_index: unread.snapshot.lastIndex,
  last_term: unread.snapshot.lastTerm,
  ...(unread.snapshot.config === undefined ? {} : { config: unread.snapshot.config }),
  offset: unread.index,
  data: chunk.text,
  done: chunk.last
})

/**
 * A snapshot chunk decided on and counted in flight, not yet read: it is
 * read from the log after the state lock is released, so no disk read holds
 * up a transition, and only the chunk in flight is ever in memory.
 */
interface UnreadChunk {
  readonly _tag: "UnreadChunk"
  readonly snapshot: Snapshot
  readonly index: number
  readonly term: number
  readonly round: number
  readonly number: number
  readonly sentMs: number
}

/**
 * Decides whether to send `peer` an AppendEntries now, and if so which, and
 * records it as in flight. New entries go at once; reads waiting for a
 * round go with the next request, at once when none is in flight; an idle
 * follower gets an empty one every heartbeat. While probing,
 * one request at a time; once the follower's position is known, up to
 * `maxInflightPerPeer` pipelined. A follower whose next entry was compacted
 * away gets the snapshot instead, one chunk at a time.
 */
const nextRequest = (context: RaftContext, peer: NodeId, term: number) =>
  transition(context, (state) =>
    Effect.gen(function*() {
      const progress = state.progress.get(peer)
      if (progress === undefined || !isLeaderOf(context, state, term) || !replicatesTo(context, peer, progress)) {
        return [Option.none(), state] as const
      }
      const now = yield* Clock.currentTimeMillis
      const { heartbeatMs, maxEntriesPerMessage, maxInflightPerPeer } = context.config
      const lastIndex = context.log.lastIndex()
      const needsSnapshot = progress.nextIndex < context.log.firstIndex()
      const window = needsSnapshot ? 1 : Progress.window(progress, maxInflightPerPeer)
      const hasNew = progress.nextIndex <= lastIndex
      const heartbeatDue = now - progress.lastSentMs >= heartbeatMs
      // A read needs one request sent after it arrived, whatever it carries:
      // while one is in flight, the reads arriving meanwhile wait for its
      // answer and go together with the next.
      const readDue = state.readRound > progress.sentRound && progress.inflight === 0
      if (progress.inflight >= window || !(hasNew || heartbeatDue || readDue)) {
        return [Option.none(), state] as const
      }
      const number = progress.sentCount + 1
      if (needsSnapshot) {
        // Always the log's own snapshot, the newest: one under way that is older starts over as this one.
        const snapshot = context.log.snapshot()!
        const sending = Progress.sendSnapshot(progress, snapshot)
        const { received } = sending.mode as Extract<Progress.ReplicationMode, { _tag: "Snapshot" }>
        const unread: UnreadChunk = {
          _tag: "UnreadChunk",
          snapshot,
          index: received,
          term,
          round: state.readRound,
          number,
          sentMs: now
        }
        const next = updateProgress(state, peer, () => Progress.sent(sending, now, state.readRound, 0))
        return [Option.some<Sent | UnreadChunk>(unread), next] as const
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
      const next = updateProgress(state, peer, (p) => Progress.sent(p, now, state.readRound, entries.length))
      return [Option.some<Sent | UnreadChunk>({ request, round: state.readRound, number, sentMs: now }), next] as const
    }))

/**
 * A request as sent (AppendEntries or a snapshot chunk), with the read round
 * it vouches for, its number among those sent to the follower, and when it
 * was decided on (it leaves after that: the lease counts from here).
 */
interface Sent {
  readonly request: AppendEntries | InstallSnapshot
  readonly round: number
  readonly number: number
  readonly sentMs: number
}

/**
 * Takes in a follower's answer (or its absence) to one request: what every
 * answer means (a higher term deposes; any answer in this term acknowledges
 * this leader), then `onAnswer` for what this kind of answer says of the
 * follower's log, and the commit index that follows from it.
 */
const handleAnswer = <A extends { readonly term: number }>(
  context: RaftContext,
  peer: NodeId,
  { number, request, round, sentMs }: Sent,
  result: Option.Option<A>,
  onLost: (progress: Progress.PeerProgress) => Progress.PeerProgress,
  onAnswer: (progress: Progress.PeerProgress, answer: A) => Effect.Effect<Progress.PeerProgress>
) =>
  transition(context, (state) =>
    Effect.gen(function*() {
      const current = state.progress.get(peer)
      if (current === undefined || !isLeaderOf(context, state, request.term)) return [undefined, state] as const
      const released = Progress.released(current)
      if (result._tag === "None") return [undefined, withProgress(state, peer, onLost(released))] as const
      const answer = result.value
      if (context.rules.deposes(answer.term, request.term)) {
        return [undefined, yield* becomeFollower(context, state, answer.term, null)] as const
      }
      // Any answer in this term, success or not, acknowledges this leader: for CheckQuorum, ReadIndex and the lease.
      const now = yield* Clock.currentTimeMillis
      const before = Progress.heardFrom(released, now, round, sentMs)
      // Answers to requests sent before the follower was found to have lost entries describe a log it no longer has.
      const after = number <= before.sentBeforeLoss ? before : yield* onAnswer(before, answer)
      const updated = withProgress(state, peer, after)
      const answered = updated.handingOver === null ? updated : yield* tellIfLevel(context, updated, now)
      if (after.matchIndex > before.matchIndex) {
        const advanced = advanceCommit(context, answered, request.term)
        // advanceCommit confirms the reads itself once the commit index moved.
        if (advanced !== answered) return [undefined, advanced] as const
      }
      confirmReads(context, answered)
      return [undefined, answered] as const
    }))

/** A follower's answer to a snapshot chunk: resume where it says, or go on with entries once it has the snapshot. */
const handleInstallResult = (
  context: RaftContext,
  peer: NodeId,
  sent: Sent,
  request: InstallSnapshot,
  result: Option.Option<InstallSnapshotResult>
) =>
  // Lost or late: the same chunk goes again.
  handleAnswer(context, peer, sent, result, (p) => p,
    (progress, answer) => Effect.succeed(Progress.snapshotAnswered(progress, request.last_index, answer.received, answer.installed)))

/** Takes in a follower's answer (or its absence) to one AppendEntries. */
const handleAppendResult = (
  context: RaftContext,
  peer: NodeId,
  sent: Sent,
  request: AppendEntries,
  result: Option.Option<AppendEntriesResult>
) =>
  handleAnswer(
    context,
    peer,
    sent,
    result,
    Progress.appendLost,
    (progress, answer) =>
      Effect.gen(function*() {
        if (answer.success) return Progress.accepted(progress, answer.match_index)
        const hint = { conflictIndex: answer.conflict_index ?? progress.matchIndex + 1, conflictTerm: answer.conflict_term }
        if (rejectionProvesLoss(progress, sent.number, request.prev_log_index, hint)) {
          // Its confirmations no longer hold: count nothing from it until it confirms again.
          yield* Effect.logWarning(
            `${peer} lost log entries it had confirmed up to ${progress.matchIndex} (its log now ends before or conflicts at ${hint.conflictIndex}); replicating to it again`
          )
          return Progress.lostConfirmed(progress, nextIndexAfterRejection(context.log, 0, hint))
        }
        // A rejection of a request older than what the follower has since confirmed says nothing new.
        if (request.prev_log_index < progress.matchIndex) return progress
        return Progress.rejected(progress, nextIndexAfterRejection(context.log, progress.matchIndex, hint))
      })
  )

/** Takes in the answer to one request sent to `peer`, or its absence. */
const handleResult = (context: RaftContext, peer: NodeId, sent: Sent, answer: Either.Either<Body, RpcTimeout>) => {
  const { request } = sent
  const body = Either.getRight(answer)
  return request.type === "append_entries"
    ? handleAppendResult(context, peer, sent, request, Option.flatMap(body, decodeAppendResult))
    : handleInstallResult(context, peer, sent, request, Option.flatMap(body, decodeInstallResult))
}

/**
 * A request ready to send: a snapshot chunk is read from the log first. A
 * chunk not sent leaves flight again: "replaced" when a newer snapshot took
 * its snapshot's place (the next request is decided at once, from the
 * newest); "unreadable" when the log could not read it (tried again at the
 * next wake, not in a loop).
 */
const readChunk = (
  context: RaftContext,
  peer: NodeId,
  decided: Sent | UnreadChunk
): Effect.Effect<Sent | "replaced" | "unreadable"> => {
  if (!("_tag" in decided)) return Effect.succeed(decided)
  if (context.log.snapshot()?.lastIndex !== decided.snapshot.lastIndex) return Effect.as(unsent(context, peer), "replaced" as const)
  return Effect.matchEffect(decided.snapshot.chunk(decided.index), {
    onFailure: (error) =>
      error._tag === "SnapshotGone"
        ? Effect.as(unsent(context, peer), "replaced" as const)
        : Effect.zipRight(Effect.logWarning(`reading a snapshot chunk for ${peer}: ${error.message}`),
          Effect.as(unsent(context, peer), "unreadable" as const)),
    onSuccess: (chunk) =>
      Effect.succeed<Sent>({
        request: chunkRequest(context, decided, chunk),
        round: decided.round,
        number: decided.number,
        sentMs: decided.sentMs
      })
  })
}

/** Takes a request that was counted in flight but not sent out of flight again. */
const unsent = (context: RaftContext, peer: NodeId) =>
  transition(context, (state) => Effect.succeed([undefined, updateProgress(state, peer, Progress.released)] as const))

/**
 * The replicator for one follower, while this node leads `term`: wakes when
 * there are new entries, an answer came back, or the heartbeat ticks, takes
 * in the answers that arrived, and sends whatever the window allows.
 * Requests are pipelined, and no fiber waits for one: each answer (or its
 * timeout) is queued for this fiber, which the answer wakes.
 */
export const replicator = (context: RaftContext, peer: NodeId, term: number) =>
  Effect.gen(function*() {
    const signal = context.replicateSignals.get(peer)!
    const answers: Array<readonly [Sent, Either.Either<Body, RpcTimeout>]> = []
    const answerTo = (sent: Sent) => (answer: Either.Either<Body, RpcTimeout>) =>
      Effect.zipRight(Effect.sync(() => void answers.push([sent, answer])), signal.ring)
    // One ticker per follower: a long-lived sleep is far cheaper than a timeout around every wait.
    yield* Effect.fork(Effect.forever(Effect.zipRight(Effect.sleep(context.config.heartbeatMs), signal.ring)))
    while (isLeaderOf(context, yield* context.state.get, term)) {
      for (const [sent, answer] of answers.splice(0)) yield* handleResult(context, peer, sent, answer)
      let request = yield* nextRequest(context, peer, term)
      while (request._tag === "Some") {
        const sent = yield* readChunk(context, peer, request.value)
        if (sent === "unreadable") break
        if (sent !== "replaced") yield* context.network.rpcThen(peer, sent.request, context.config.rpcTimeoutMs, answerTo(sent))
        request = yield* nextRequest(context, peer, term)
      }
      yield* signal.wait
    }
  })
