import { Effect, Either } from "effect"
import { majorityReached } from "./quorum.js"
import { configurationInForce, currentTerm, type RaftContext } from "./RaftContext.js"
import { LeadershipLost, type ReadBarrierError } from "./RaftErrors.js"
import type { RaftState } from "./RaftState.js"
import type { Settlement } from "./Settlement.js"

type Barrier = Settlement<void, ReadBarrierError>

interface WaitingBarrier {
  readonly round: number
  readonly barrier: Barrier
}

interface ReadyBarrier {
  readonly readIndex: number
  readonly barrier: Barrier
}

const leadershipEnded = new LeadershipLost({ reason: "leadership ended before the read was confirmed" })

/**
 * Read barriers, passed without a log entry. ReadIndex rounds: a barrier
 * asked of the leader opens round R, and every AppendEntries sent afterwards
 * carries R (locally, not on the wire). Once a majority has answered
 * AppendEntries of round R or later in this term, the leader was still the
 * leader after the barrier was asked, so its commit index is a safe point to
 * read at (see confirmReads). A barrier waits for its round to be confirmed,
 * then for the applier to reach its read index, and passes there: the
 * application may query its state machine from then on.
 */
export interface ReadIndexReads {
  readonly wait: (round: number, barrier: Barrier) => void
  /** Whether any barrier waits for its round to be confirmed. */
  readonly anyWaiting: () => boolean
  /** A barrier that needs no round (the leader's lease holds: leaseReads.ts) becomes ready at `readIndex`. */
  readonly confirmNow: (barrier: Barrier, readIndex: number) => void
  /** Every barrier of a round up to `round` becomes ready at `readIndex`. */
  readonly confirm: (round: number, readIndex: number) => void
  /** Whether any barrier was confirmed since the last call (the applier then has barriers to pass). */
  readonly takeConfirmed: () => boolean
  /** Whether a majority has confirmed the barrier's round (it waits for the applier now). */
  readonly isConfirmed: (barrier: Barrier) => boolean
  /** The ready barriers whose read index has been applied, taken out. */
  readonly takeReady: (lastApplied: number) => ReadonlyArray<Barrier>
  /** Leadership ended: barriers not yet confirmed fail (nothing was read, so any failure is safe). */
  readonly failWaiting: Effect.Effect<void>
}

export const makeReadIndexReads = (): ReadIndexReads => {
  let waiting: Array<WaitingBarrier> = []
  let ready: Array<ReadyBarrier> = []
  let confirmedSince = false
  return {
    wait: (round, barrier) => void waiting.push({ round, barrier }),
    anyWaiting: () => waiting.length > 0,
    confirmNow: (barrier, readIndex) => {
      ready.push({ readIndex, barrier })
      confirmedSince = true
    },
    confirm: (round, readIndex) => {
      const confirmed = waiting.filter((read) => read.round <= round)
      if (confirmed.length === 0) return
      waiting = waiting.filter((read) => read.round > round)
      ready.push(...confirmed.map(({ barrier }) => ({ readIndex, barrier })))
      confirmedSince = true
    },
    takeConfirmed: () => {
      const confirmed = confirmedSince
      confirmedSince = false
      return confirmed
    },
    isConfirmed: (barrier) => ready.some((read) => read.barrier === barrier),
    takeReady: (lastApplied) => {
      const due = ready.filter((read) => read.readIndex <= lastApplied)
      if (due.length > 0) ready = ready.filter((read) => read.readIndex > lastApplied)
      return due.map((read) => read.barrier)
    },
    failWaiting: Effect.suspend(() => {
      const failed = waiting
      waiting = []
      return Effect.forEach(failed, (read) => read.barrier.settle(Either.left(leadershipEnded)), { discard: true })
    })
  }
}

/**
 * Confirms the barriers a majority's answers now vouch for, at the commit
 * index, once that index holds an entry of the leader's own term (before
 * that, entries committed by earlier leaders may lie beyond it).
 */
export const confirmReads = (context: RaftContext, state: RaftState): void => {
  if (!context.reads.anyWaiting() || state.role !== "leader") return
  if (!context.rules.readsAtCommitIndex(context.log.termAt(state.commitIndex), currentTerm(context))) return
  // The leader vouches for itself at the latest round.
  const acknowledged = majorityReached(
    configurationInForce(context, state).voters,
    (voter) => voter === context.self ? state.readRound : state.progress.get(voter)?.ackedRound ?? 0
  )
  context.reads.confirm(context.rules.confirmedReadRound(state.readRound, acknowledged), state.commitIndex)
}
