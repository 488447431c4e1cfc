import { quickOptionDecoder } from "../../foundation/quickDecoder.js"
import { Clock, Deferred, Effect, FiberSet } from "effect"
import type { Envelope, NodeId } from "../../services/Network.js"
import { type RequestVote, RequestVoteResult } from "../protocol/raftMessages.js"
import { allVoters, majorityInTouch, tallyVotes, type Voters } from "./quorum.js"
import { becomeFollower } from "./follower.js"
import { logDurable } from "./commit.js"
import { becomeLeader } from "./leader.js"
import { configurationInForce, currentTerm, nextElectionDeadline, type RaftContext, transition } from "./RaftContext.js"
import type { RaftState } from "./RaftState.js"
import { campaignerHardState, logTip, voterView } from "./recovery.js"
import { isVoter } from "./configurations.js"
import { voteHeldAfterStart } from "./leaseRules.js"

const decodeVoteResult = quickOptionDecoder(RequestVoteResult)

/** The vote lease: whether this node turns down a candidate of a later term (unless its leader handed over to it). */
const heardFromLeaderRecently = (context: RaftContext, state: RaftState, now: number): boolean =>
  state.role === "leader" ||
  (state.leaderId !== null && now - state.lastLeaderContactMs < context.config.electionTimeoutMinMs) ||
  voteHeldAfterStart(context.config.readMode, now, context.startedAtMs, context.config.electionTimeoutMinMs)

/** Answers RequestVote and PreVote requests. */
export const handleRequestVote = (context: RaftContext, envelope: Envelope, request: RequestVote) =>
  Effect.gen(function*() {
    const reply = yield* transition(context, (state) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        // A recovering node votes on what its peers told it, not on its own log alone (recovery.ts).
        const { hard, tip } = voterView(context, state)
        if (request.pre_vote) {
          const granted = context.rules.decidePreVote(hard, tip, request, heardFromLeaderRecently(context, state, now))
          return [{ term: hard.term, granted }, state] as const
        }
        const decision = context.rules.decideVote(hard, tip, request, heardFromLeaderRecently(context, state, now))
        let next = state
        if (decision.hardState.term > hard.term) next = yield* becomeFollower(context, state, decision.hardState.term, null)
        const saved = context.log.hardState()
        if (decision.hardState.votedFor !== saved.votedFor) {
          yield* context.log.saveHardState({ ...decision.hardState, caughtUp: saved.caughtUp })
        }
        if (decision.granted) next = { ...next, electionDeadlineMs: yield* nextElectionDeadline(context.config) }
        return [{ term: decision.hardState.term, granted: decision.granted }, next] as const
      }))
    // The term and vote this answer stands on are durable before it leaves.
    yield* context.log.whenDurable(
      context.network.reply(envelope, { type: "request_vote_result", term: reply.term, vote_granted: reply.granted })
    )
  })

/**
 * Asks the peers for their (pre)votes for `term`. A reply with a higher term
 * makes this node a follower of that term, and counts as a no.
 */
const requestVotes = (context: RaftContext, term: number, preVote: boolean, transfer: boolean) => {
  const { lastIndex, lastTerm: lastLogTerm } = logTip(context.log)
  const request: RequestVote = {
    type: "request_vote",
    term,
    candidate_id: context.self,
    last_log_index: lastIndex,
    last_log_term: lastLogTerm,
    pre_vote: preVote,
    ...(transfer ? { transfer: true } : {})
  }
  const ask = (peer: string) =>
    context.network.rpc(peer, request, context.config.rpcTimeoutMs).pipe(
      Effect.flatMap((body) =>
        Effect.gen(function*() {
          const result = decodeVoteResult(body)
          if (result._tag === "None") return false
          const answer = result.value
          if (!answer.vote_granted) {
            // Decided under the lock: the term may have moved on since the answer left.
            yield* transition(context, (state) =>
              context.rules.deposes(answer.term, currentTerm(context))
                ? Effect.map(becomeFollower(context, state, answer.term, null), (next) => [undefined, next] as const)
                : Effect.succeed([undefined, state] as const))
          }
          return answer.vote_granted
        })
      ),
      Effect.catchTag("RpcTimeout", () => Effect.succeed(false))
    )
  // The voters as this node sees them when it asks: a campaign is decided by the configuration it started in.
  return Effect.flatMap(context.state.get, (state) => collectVotes(context, configurationInForce(context, state).voters, ask))
}

/**
 * Asks every peer at once (this node votes for itself) and answers true as
 * soon as the votes win, false as soon as they cannot; asks still running
 * then are interrupted.
 */
const collectVotes = (
  context: RaftContext,
  voters: Voters,
  ask: (peer: NodeId) => Effect.Effect<boolean>
): Effect.Effect<boolean> =>
  Effect.scoped(
    Effect.gen(function*() {
      const votes = new Map<NodeId, boolean>([[context.self, true]])
      const outcome = yield* Deferred.make<boolean>()
      const decide = Effect.suspend(() => {
        const tally = tallyVotes(voters, votes)
        return tally === "pending" ? Effect.void : Deferred.succeed(outcome, tally === "won")
      })
      yield* decide
      const asks = yield* FiberSet.make()
      // The voters of the latest configuration (of both groups while joint); learners have no vote to give.
      for (const peer of allVoters(voters)) {
        if (peer === context.self) continue
        yield* FiberSet.run(asks,
          Effect.flatMap(ask(peer), (granted) => Effect.zipRight(Effect.sync(() => votes.set(peer, granted)), decide)))
      }
      return yield* Deferred.await(outcome)
    })
  )

/** Becomes a candidate in `term`, voting for itself (the vote is durable before anyone is asked for theirs). */
const becomeCandidate = (context: RaftContext, state: RaftState, term: number): Effect.Effect<RaftState> =>
  Effect.gen(function*() {
    yield* context.log.saveHardState({ ...context.log.hardState(), term, votedFor: context.self })
    yield* context.roleEvents.offer({ term, role: "candidate", leaderId: null })
    return { ...state, role: "candidate", leaderId: null, electionDeadlineMs: yield* nextElectionDeadline(context.config) }
  })

/**
 * One campaign: a PreVote round for the next term (changing nothing), then,
 * if a majority would vote and no leader appeared meanwhile, a real election.
 * A campaign the leader asked for (a transfer, handOver.ts) skips PreVote:
 * that leader is about to stop leading.
 */
const campaign = (context: RaftContext, startedAtMs: number, transfer: boolean) =>
  Effect.gen(function*() {
    const preVoteTerm = currentTerm(context) + 1
    if (!transfer && !(yield* requestVotes(context, preVoteTerm, true, false))) return
    const electionTerm = yield* transition(context, (state) => {
      const stillLeaderless = state.role !== "leader" && currentTerm(context) + 1 === preVoteTerm &&
        (transfer || state.lastLeaderContactMs < startedAtMs)
      return stillLeaderless
        ? Effect.map(becomeCandidate(context, state, preVoteTerm), (next) => [preVoteTerm, next] as const)
        : Effect.succeed([null, state] as const)
    })
    if (electionTerm === null) return
    // The vote for itself is durable before it asks for others'.
    yield* Effect.orDie(context.log.durable)
    if (!(yield* requestVotes(context, electionTerm, false, transfer))) return
    const elected = yield* transition(context, (state) =>
      state.role === "candidate" && currentTerm(context) === electionTerm
        ? Effect.map(becomeLeader(context, state, electionTerm), (next) => [true, next] as const)
        : Effect.succeed([false, state] as const))
    if (elected) yield* context.log.whenDurable(logDurable(context))
  })

/**
 * The election timer, one fiber for the node's life. A follower or candidate
 * whose deadline passes runs a campaign, here in the timer's own fiber, so
 * that a slow campaign never overlaps the next; a leader that has not heard
 * from a majority within the longest election timeout steps down (CheckQuorum).
 */
export const electionTimer = (context: RaftContext) =>
  Effect.gen(function*() {
    const { electionTimeoutMaxMs } = context.config
    let toldWhyQuiet = false
    while (true) {
      const now = yield* Clock.currentTimeMillis
      const state = yield* context.state.get
      // A leader handing over to this node rings to end either wait early (this node may have led until just now).
      if (state.role === "leader") {
        yield* Effect.race(Effect.sleep(electionTimeoutMaxMs), context.electionSignal.wait)
        yield* checkQuorum(context)
      } else if (now < state.electionDeadlineMs && !state.campaignAtOnce) {
        // Told to take over, it campaigns now, even though its leader's heartbeats, which go on until it does, moved the deadline.
        yield* Effect.race(Effect.sleep(state.electionDeadlineMs - now), context.electionSignal.wait)
      } else {
        const deadline = yield* nextElectionDeadline(context.config)
        const transfer = yield* transition(context,
          (current) =>
            Effect.succeed([current.campaignAtOnce, { ...current, electionDeadlineMs: deadline, campaignAtOnce: false }] as const))
        if (!isVoter(configurationInForce(context, yield* context.state.get).config, context.self)) {
          // A learner, or a node removed from the cluster: it waits to be made a voter, disrupting no one.
        } else if (context.rules.mayCampaign(campaignerHardState(context, yield* context.state.get))) {
          yield* campaign(context, now, transfer)
        } else if (!toldWhyQuiet) {
          toldWhyQuiet = true
          yield* Effect.logWarning(
            "not campaigning: this node's log may lack entries it once acknowledged (lost, damaged, or empty at start in a cluster that may have begun), and no leader has caught it up yet"
          )
        }
      }
    }
  })

const checkQuorum = (context: RaftContext) =>
  transition(context, (state) =>
    Effect.gen(function*() {
      if (state.role !== "leader") return [undefined, state] as const
      const now = yield* Clock.currentTimeMillis
      const lastHeardMs = (voter: string) =>
        voter === context.self ? now : state.progress.get(voter)?.lastContactMs ?? Number.NEGATIVE_INFINITY
      const { electionTimeoutMaxMs } = context.config
      const stalledSinceMs = context.log.stalledSinceMs()
      // A leader whose disk has kept nothing for an election timeout cannot hold up its share: one that can should lead.
      if (stalledSinceMs !== null && now - stalledSinceMs >= electionTimeoutMaxMs) {
        yield* Effect.logWarning(`stepping down: the disk has made no write durable for ${now - stalledSinceMs} ms`)
      } else if (majorityInTouch(configurationInForce(context, state).voters, lastHeardMs, now, electionTimeoutMaxMs)) {
        return [undefined, state] as const
      } else yield* Effect.logInfo(`stepping down: a majority has not answered for ${electionTimeoutMaxMs} ms`)
      return [undefined, yield* becomeFollower(context, state, currentTerm(context), null)] as const
    }))
