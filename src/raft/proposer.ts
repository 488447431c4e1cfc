import { Clock, Effect, Either } from "effect"
import type { Entry } from "../../services/Log.js"
import { logDurable, seenDurable } from "./commit.js"
import { currentTerm, notLeader, type RaftContext, transition } from "./RaftContext.js"
import { handOverAt } from "./handOver.js"
import { NotLeader, type ProposalError } from "./RaftErrors.js"
import type { Settlement } from "./Settlement.js"

/** A command waiting to enter the log. */
export interface Proposal {
  /** The application's command, which Raft never opens. */
  readonly command: unknown
  /** When set, only the leader of this very term may append it (see Raft.ProposeOptions). */
  readonly term: number | undefined
  readonly settlement: Settlement<unknown, ProposalError>
}

/**
 * Group commit: takes every proposal waiting (at least one) and, as leader,
 * appends all it admits with one Log append, so one record, one write and
 * one fsync, however many there are. Refused ones (not leader, or not of the
 * term they name) fail with NotLeader; one already settled (it timed out
 * while queued: its outcome was indefinite) is dropped. Returns the term and
 * last index of what it appended, if anything.
 */
const proposeBatch = (context: RaftContext): Effect.Effect<{ readonly term: number; readonly lastIndex: number } | null> =>
  Effect.gen(function*() {
    const proposals = yield* context.proposals.takeAll
    const { appended, refusals } = yield* transition(context, (state) =>
      Effect.gen(function*() {
        const term = currentTerm(context)
        const entries: Array<Entry> = []
        const refusals: Array<readonly [Proposal, NotLeader]> = []
        // A leader handing leadership over takes no commands: the target's log must end where this one does.
        const handOver = state.handingOver === null ? null : handOverAt(state, yield* Clock.currentTimeMillis)
        const leading = state.role === "leader" && handOver === null
        for (const proposal of proposals) {
          if (proposal.settlement.settled()) continue
          if (!leading || (proposal.term !== undefined && proposal.term !== term)) {
            refusals.push([
              proposal,
              handOver === null ? yield* notLeader(context, state) : new NotLeader({ leaderId: null, term, handingOverTo: handOver.to })
            ])
            continue
          }
          const index = context.log.lastIndex() + 1 + entries.length
          entries.push({ term, command: proposal.command })
          context.pending.register(index, term, proposal.settlement)
        }
        if (entries.length > 0) yield* context.log.append(entries)
        const appended = entries.length > 0 ? { term, lastIndex: context.log.lastIndex() } : null
        return [{ appended, refusals }, seenDurable(context, state)] as const
      }))
    // Followers get the entries at once (the transition woke the replicators); the leader counts its own copy once it is durable.
    if (appended !== null) yield* context.log.whenDurable(logDurable(context))
    yield* Effect.forEach(refusals, ([proposal, refused]) => proposal.settlement.settle(Either.left(refused)), { discard: true })
    return appended
  })

/**
 * The proposer fiber, for the node's life: one group at a time. After
 * appending a group it waits, as leader, until that group is committed (or
 * leadership ends) before taking the next: the proposals that arrive
 * meanwhile make the next group (Nagle's algorithm, applied to the log). A
 * lone proposal waits for nothing; under load each group is what arrived
 * during one replication round, so there are far fewer records, fsyncs and
 * AppendEntries than proposals.
 */
export const proposer = (context: RaftContext): Effect.Effect<never> =>
  Effect.forever(Effect.gen(function*() {
    const appended = yield* proposeBatch(context)
    if (appended === null) return
    while (true) {
      const state = yield* context.state.get
      if (state.commitIndex >= appended.lastIndex || state.role !== "leader" || currentTerm(context) !== appended.term) return
      yield* context.proposerSignal.wait
    }
  }))
