import { Chunk, Deferred, Effect, Queue } from "effect"
import { ErrorCode } from "../protocol/errorCodes.js"
import { errorReply, type KvReply, type KvRequest } from "../protocol/kvMessages.js"
import type { Entry } from "../protocol/raftMessages.js"
import { type Refused, refusedHere, type RequestOrigin } from "./clientRequests.js"
import { currentTerm, type RaftContext, ringAll, transition } from "./RaftContext.js"

/** A write or cas waiting to enter the log. */
export interface Proposal {
  readonly command: Exclude<KvRequest, { readonly type: "read" }>
  readonly origin: RequestOrigin
  /** Where the proposer put it: into the log (with its waiter), or nowhere and why; or still queued after the request timeout. */
  readonly placed: Deferred.Deferred<Appended | Refused | StillQueued>
}

/** In this leader's log at `index`: `reply` gets the answer once the entry is applied (or overwritten). */
export interface Appended {
  readonly _tag: "Appended"
  readonly index: number
  readonly reply: Deferred.Deferred<KvReply>
}

/** Not yet taken by the proposer when the request timed out: it may still be appended. */
export interface StillQueued {
  readonly _tag: "StillQueued"
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
 * Group commit: takes every proposal waiting (at least one) and, as leader,
 * appends all it admits with one Log append, so one record, one write and
 * one fsync, however many there are. Refused proposals (not leader, a
 * forward for another term, a duplicate forward) are placed nowhere.
 * Returns the term and last index of what it appended, if anything.
 */
const proposeBatch = (context: RaftContext): Effect.Effect<{ readonly term: number; readonly lastIndex: number } | null> =>
  Effect.gen(function*() {
    const proposals = Chunk.toReadonlyArray(yield* Queue.takeBetween(context.proposals, 1, Number.POSITIVE_INFINITY))
    const { appended, placements } = yield* transition(context, (state) =>
      Effect.gen(function*() {
        const term = currentTerm(context)
        const entries: Array<Entry> = []
        const placements: Array<Appended | Refused> = []
        for (const { command, origin } of proposals) {
          const refused = refusedHere(context, state, command, origin)
          if (refused !== null) {
            placements.push(refused)
            continue
          }
          const index = context.log.lastIndex() + 1 + entries.length
          entries.push({ term, command })
          const reply = yield* context.pending.register(index, term, origin._tag === "client" ? overwritten : mayBeElsewhere)
          placements.push({ _tag: "Appended", index, reply })
        }
        if (entries.length > 0) yield* Effect.orDie(context.log.append(entries))
        const appended = entries.length > 0 ? { term, lastIndex: context.log.lastIndex() } : null
        return [{ appended, placements }, state] as const
      }))
    if (appended !== null) {
      yield* context.commitSignal.ring
      yield* ringAll(context.replicateSignals)
    }
    yield* Effect.forEach(proposals, (proposal, i) => Deferred.succeed(proposal.placed, placements[i]!), { discard: true })
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
