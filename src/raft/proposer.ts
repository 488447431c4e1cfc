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
  /** Where the proposer put it: into the log (with its waiter), or nowhere and why. */
  readonly placed: Deferred.Deferred<Appended | Refused>
}

/** In this leader's log at `index`: `reply` gets the answer once the entry is applied (or overwritten). */
export interface Appended {
  readonly _tag: "Appended"
  readonly index: number
  readonly reply: Deferred.Deferred<KvReply>
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
 * one fsync, however many there are. Proposals that arrive while it appends
 * wait for the next round, which takes them all at once: the slower the
 * disk, the larger the groups. Refused proposals (not leader, a forward for
 * another term, a duplicate forward) are placed nowhere.
 */
export const proposeBatch = (context: RaftContext): Effect.Effect<void> =>
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
        return [{ appended: entries.length > 0, placements }, state] as const
      }))
    if (appended) {
      yield* context.commitSignal.ring
      yield* ringAll(context.replicateSignals)
    }
    yield* Effect.forEach(proposals, (proposal, i) => Deferred.succeed(proposal.placed, placements[i]!), { discard: true })
  })

/** The proposer fiber: one group commit after another, for the node's life. */
export const proposer = (context: RaftContext): Effect.Effect<never> => Effect.forever(proposeBatch(context))
