import { Clock, Effect } from "effect"
import type { Envelope, NodeId } from "../../services/Network.js"
import type { AppendEntries, AppendEntriesResult } from "../protocol/raftMessages.js"
import { logDurable, seenDurable } from "./commit.js"
import { currentTerm, nextElectionDeadline, type RaftContext, transition } from "./RaftContext.js"
import type { RaftState } from "./RaftState.js"
import { leaderReached } from "./recovery.js"

/**
 * Becomes (or stays) a follower in `term`, persisting the term if it is new.
 * A leader or candidate that steps down announces it.
 */
export const becomeFollower = (
  context: RaftContext,
  state: RaftState,
  term: number,
  leaderId: NodeId | null
): Effect.Effect<RaftState> =>
  Effect.gen(function*() {
    const hard = context.log.hardState()
    if (term > hard.term) yield* context.log.saveHardState({ ...hard, term, votedFor: null })
    const changed = state.role !== "follower" || term > hard.term || state.leaderId !== leaderId
    const next: RaftState = {
      ...state,
      role: "follower",
      leaderId,
      progress: state.role === "leader" ? new Map() : state.progress,
      handingOver: null,
      // A transfer campaign asked for in an earlier term is no longer wanted.
      campaignAtOnce: term > hard.term ? false : state.campaignAtOnce,
      electionDeadlineMs: state.role === "follower" ? state.electionDeadlineMs : yield* nextElectionDeadline(context.config)
    }
    if (changed) yield* context.roleEvents.offer({ term, role: "follower", leaderId })
    if (state.role === "leader") yield* context.reads.failWaiting
    return next
  })

/**
 * A message from the leader of `term` (AppendEntries or InstallSnapshot):
 * null when that term is over for this node; otherwise this node's state as
 * that leader's follower, its election deadline pushed back.
 */
export const heardFromLeader = (
  context: RaftContext,
  state: RaftState,
  term: number,
  leaderId: NodeId
): Effect.Effect<RaftState | null> =>
  Effect.gen(function*() {
    const current = currentTerm(context)
    if (term < current) return null
    if (state.role === "leader" && term === current) {
      return yield* Effect.dieMessage(`two leaders in term ${current}: ${context.self} and ${leaderId}`)
    }
    const now = yield* Clock.currentTimeMillis
    const electionDeadlineMs = yield* nextElectionDeadline(context.config)
    if (state.recovery !== null) yield* leaderReached(context, leaderId)
    // The usual case, a follower hearing again from its leader: nothing to persist or announce.
    const following = state.role === "follower" && term === current && state.leaderId === leaderId
      ? state
      : yield* becomeFollower(context, state, term, leaderId)
    return { ...following, lastLeaderContactMs: now, electionDeadlineMs }
  })

/**
 * A follower's handling of AppendEntries: recognise the leader, reconcile the
 * log, and commit what this request confirmed (entries a majority holds
 * durably: applying them before this node's own copy is durable is safe).
 * The reply leaves once the log is durable, after the state lock is
 * released, so a slow disk holds up no other message.
 */
export const handleAppendEntries = (context: RaftContext, envelope: Envelope, request: AppendEntries) =>
  Effect.gen(function*() {
    const reply = yield* transition(context, (state) =>
      Effect.gen(function*() {
        const reject = (extra: Partial<AppendEntriesResult>, next: RaftState) =>
          [{ type: "append_entries_result", term: currentTerm(context), success: false, match_index: 0, ...extra }, next] as const
        const heard = yield* heardFromLeader(context, state, request.term, request.leader_id)
        if (heard === null) return reject({}, state)
        const decision = context.rules.reconcile(context.log, heard.commitIndex, request)
        switch (decision._tag) {
          case "Mismatch":
            return reject({ conflict_index: decision.conflictIndex, conflict_term: decision.conflictTerm }, heard)
          case "CommittedConflict":
            return yield* Effect.dieMessage(
              `AppendEntries from ${request.leader_id} (term ${request.term}) conflicts with committed entry ${decision.index} (commit index ${heard.commitIndex})`
            )
          case "Accept": {
            // One change, so one write and one fsync, whatever it deletes and appends.
            if (decision.truncateFrom !== null) {
              yield* context.log.replaceFrom(decision.truncateFrom, decision.append)
            } else if (decision.append.length > 0) yield* context.log.append(decision.append)
            const saved = context.log.hardState()
            if (!saved.caughtUp && decision.matchIndex >= request.leader_commit) {
              // Level with everything this leader had committed: from now on this node's log speaks for it.
              yield* context.log.saveHardState({ ...saved, caughtUp: true })
              yield* Effect.logInfo(`caught up by ${request.leader_id} to index ${decision.matchIndex}: votes and campaigns again`)
            }
            // Level with the leader: this node's log speaks for it again, whatever members have yet to answer.
            const recovered = heard.recovery !== null && context.log.hardState().caughtUp ? { ...heard, recovery: null } : heard
            const commitIndex = context.rules.followerCommitIndex({
              commitIndex: recovered.commitIndex,
              leaderCommit: request.leader_commit,
              matchIndex: decision.matchIndex,
              lastIndex: context.log.lastIndex()
            })
            const result: AppendEntriesResult = {
              type: "append_entries_result",
              term: request.term,
              success: true,
              match_index: decision.matchIndex
            }
            return [result, seenDurable(context, { ...recovered, commitIndex })] as const
          }
        }
      }))
    yield* context.log.whenDurable(Effect.zipRight(context.network.reply(envelope, reply), logDurable(context)))
  })
