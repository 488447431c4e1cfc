import { Effect } from "effect"
import { ErrorCode } from "../protocol/errorCodes.js"
import { errorReply, type KvRequest } from "../protocol/kvMessages.js"
import type { Entry } from "../protocol/raftMessages.js"
import { answerRefused, type ClientRequest, type Refused, refusedHere } from "./clientRequests.js"
import { currentTerm, type RaftContext, ringAll, transition } from "./RaftContext.js"

/** A write or cas waiting to enter the log. */
export interface Proposal extends ClientRequest {
  readonly command: Exclude<KvRequest, { readonly type: "read" }>
}

/** For a client's own request whose entry was overwritten: it can never commit. */
const overwritten = errorReply(
  ErrorCode.temporarilyUnavailable,
  "leadership changed before the request committed; it was not applied"
)

/** For a forwarded request whose entry was overwritten: a duplicate of the forward may still run. */
const mayBeElsewhere = errorReply(
  ErrorCode.timeout,
  "leadership changed before the request committed; a copy of it may still be applied"
)

/**
 * Group commit: takes every write and cas waiting (at least one) and, as
 * leader, appends all it admits with one Log append, so one record, one
 * write and one fsync, however many there are. Refused ones (not leader, a
 * forward for another term, a duplicate forward) are answered or passed on
 * (answerRefused); one already answered (it timed out while queued, with an
 * indefinite answer) is dropped. Returns the term and last index of what it
 * appended, if anything.
 */
const proposeBatch = (context: RaftContext): Effect.Effect<{ readonly term: number; readonly lastIndex: number } | null> =>
  Effect.gen(function*() {
    const proposals = yield* context.proposals.takeAll
    const { appended, refusals } = yield* transition(context, (state) =>
      Effect.gen(function*() {
        const term = currentTerm(context)
        const entries: Array<Entry> = []
        const refusals: Array<readonly [ClientRequest, Refused]> = []
        for (const proposal of proposals) {
          if (proposal.responder.answered()) continue
          const refused = refusedHere(context, state, proposal)
          if (refused !== null) {
            refusals.push([proposal, refused])
            continue
          }
          const index = context.log.lastIndex() + 1 + entries.length
          entries.push({ term, command: proposal.command })
          context.pending.register(index, term, proposal.origin._tag === "client" ? overwritten : mayBeElsewhere, proposal.responder)
        }
        if (entries.length > 0) yield* Effect.orDie(context.log.append(entries))
        const appended = entries.length > 0 ? { term, lastIndex: context.log.lastIndex() } : null
        return [{ appended, refusals }, state] as const
      }))
    if (appended !== null) {
      yield* context.commitSignal.ring
      yield* ringAll(context.replicateSignals)
    }
    yield* Effect.forEach(refusals, ([proposal, refused]) => answerRefused(context, proposal, refused), { discard: true })
    return appended
  })

/**
 * The proposer fiber, for the node's life: one group at a time. After
 * appending a group it waits, as leader, until that group is committed (or
 * leadership ends) before taking the next: the writes that arrive meanwhile
 * make the next group (Nagle's algorithm, applied to the log). A lone write
 * waits for nothing; under load each group is what arrived during one
 * replication round, so there are far fewer records, fsyncs and
 * AppendEntries than writes.
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
