import { Effect } from "effect"
import type { KvReply, ReadRequest } from "../protocol/kvMessages.js"
import type { Responder } from "./InFlightRequests.js"
import { majorityReached } from "./quorum.js"
import { currentTerm, type RaftContext } from "./RaftContext.js"
import type { RaftState } from "./RaftState.js"

interface WaitingRead {
  readonly round: number
  readonly request: ReadRequest
  readonly responder: Responder
}

interface ReadyRead {
  readonly readIndex: number
  readonly request: ReadRequest
  readonly responder: Responder
}

/**
 * Reads served without a log entry. ReadIndex rounds: a read that reaches the
 * leader opens round R, and every AppendEntries sent afterwards carries R
 * (locally, not on the wire). Once a majority has answered AppendEntries of
 * round R or later in this term, the leader was still the leader after the
 * read arrived, so its commit index is a safe point to read at (see
 * confirmReads). A read waits for its round to be confirmed, then for the
 * applier to reach its read index.
 */
export interface ReadIndexReads {
  readonly wait: (round: number, request: ReadRequest, responder: Responder) => void
  /** Every read of a round up to `round` becomes ready at `readIndex`; true when any did. */
  readonly confirm: (round: number, readIndex: number) => boolean
  /** The ready reads whose read index has been applied, taken out. */
  readonly takeReady: (lastApplied: number) => ReadonlyArray<ReadyRead>
  /** Leadership ended: reads not yet confirmed get `reply` (a read changes nothing, so any error is safe). */
  readonly failWaiting: (reply: KvReply) => Effect.Effect<void>
}

export const makeReadIndexReads = (): ReadIndexReads => {
  let waiting: Array<WaitingRead> = []
  let ready: Array<ReadyRead> = []
  return {
    wait: (round, request, responder) => void waiting.push({ round, request, responder }),
    confirm: (round, readIndex) => {
      const confirmed = waiting.filter((read) => read.round <= round)
      if (confirmed.length === 0) return false
      waiting = waiting.filter((read) => read.round > round)
      ready.push(...confirmed.map(({ request, responder }) => ({ readIndex, request, responder })))
      return true
    },
    takeReady: (lastApplied) => {
      const due = ready.filter((read) => read.readIndex <= lastApplied)
      if (due.length > 0) ready = ready.filter((read) => read.readIndex > lastApplied)
      return due
    },
    failWaiting: (reply) =>
      Effect.suspend(() => {
        const failed = waiting
        waiting = []
        return Effect.forEach(failed, (read) => read.responder.answer(reply), { discard: true })
      })
  }
}

/**
 * Confirms the reads a majority's answers now vouch for, at the commit
 * index, once that index holds an entry of the leader's own term (before
 * that, entries committed by earlier leaders may lie beyond it).
 */
export const confirmReads = (context: RaftContext, state: RaftState): Effect.Effect<void> =>
  Effect.suspend(() => {
    if (state.role !== "leader" || context.log.termAt(state.commitIndex) !== currentTerm(context)) return Effect.void
    // The leader vouches for itself at the latest round.
    const acknowledged = majorityReached(
      context.voters,
      (voter) => voter === context.self ? state.readRound : state.progress.get(voter)?.ackedRound ?? 0
    )
    const round = context.rules.confirmedReadRound(state.readRound, acknowledged)
    return context.reads.confirm(round, state.commitIndex) ? context.applySignal.ring : Effect.void
  })
