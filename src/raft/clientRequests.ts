import { Deferred, Effect, Schema } from "effect"
import { ErrorCode } from "../protocol/errorCodes.js"
import { errorReply, KvReply, type KvRequest } from "../protocol/kvMessages.js"
import type { Forward } from "../protocol/raftMessages.js"
import { type RaftContext, ringAll, transition } from "./RaftContext.js"

const decodeReply = Schema.decodeUnknownOption(KvReply)

/** Where a request went: into this leader's log (with its waiter), or to whom to pass it on. */
type Placement =
  | { readonly leaderId: string | null; readonly waiter: null }
  | { readonly leaderId: string; readonly waiter: { readonly index: number; readonly reply: Deferred.Deferred<KvReply> } }

const timedOut = (what: string) =>
  errorReply(ErrorCode.timeout, `timed out waiting for ${what}; the operation may or may not have happened`)

const noLeader = errorReply(ErrorCode.temporarilyUnavailable, "no leader known; try again")

/**
 * As leader: append the operation, replicate, and answer once it is applied.
 * Not leader: pass it on to the leader this node knows (only a request that
 * came from a client; a forwarded one is never passed on again), or answer
 * "temporarily unavailable" (definite: it never entered a log here).
 */
export const executeRequest = (
  context: RaftContext,
  request: KvRequest,
  forwarding: { readonly nextRequestId: () => string } | null
): Effect.Effect<KvReply> =>
  Effect.gen(function*() {
    const { msg_id: _, ...command } = request
    const placed = yield* transition<Placement>(context, (state) =>
      Effect.gen(function*() {
        if (state.role !== "leader") return [{ leaderId: state.leaderId, waiter: null }, state] as const
        const term = context.log.hardState().term
        const index = context.log.lastIndex() + 1
        yield* Effect.orDie(context.log.append([{ term, command }]))
        const waiter = yield* context.pending.register(index, term)
        return [{ leaderId: context.self, waiter: { index, reply: waiter } }, state] as const
      }))
    if (placed.waiter !== null) {
      const { index, reply } = placed.waiter
      yield* context.commitSignal.ring
      yield* ringAll(context.replicateSignals)
      return yield* Deferred.await(reply).pipe(
        Effect.timeout(context.config.requestTimeoutMs),
        Effect.catchTag("TimeoutException", () => Effect.as(context.pending.forget(index), timedOut("commit")))
      )
    }
    if (placed.leaderId === null || forwarding === null) return noLeader
    const forward: Forward = { type: "forward", request_id: forwarding.nextRequestId(), request: command }
    return yield* context.network.rpc(placed.leaderId, forward, context.config.requestTimeoutMs).pipe(
      Effect.map((body) => {
        const { in_reply_to: _inReplyTo, msg_id: _msgId, ...reply } = body
        const decoded = decodeReply(reply)
        return decoded._tag === "Some"
          ? decoded.value
          : errorReply(ErrorCode.crash, `the leader answered with an unreadable reply; the operation may have happened`)
      }),
      Effect.catchTag("RpcTimeout", () => Effect.succeed(timedOut(`leader ${placed.leaderId}`)))
    )
  })

/** How many forwarded requests a node remembers to recognise duplicates. */
const rememberedForwards = 10_000

/**
 * Runs forwarded requests exactly once each: a duplicate of a forward (same
 * request_id) gets the outcome of the first, never a second execution.
 */
export const makeForwardHandler = (context: RaftContext) => {
  const outcomes = new Map<string, Deferred.Deferred<KvReply>>()
  return (forward: Forward): Effect.Effect<KvReply> =>
    Effect.gen(function*() {
      const known = outcomes.get(forward.request_id)
      if (known !== undefined) return yield* Deferred.await(known)
      const outcome = yield* Deferred.make<KvReply>()
      outcomes.set(forward.request_id, outcome)
      if (outcomes.size > rememberedForwards) outcomes.delete(outcomes.keys().next().value!)
      const reply = yield* executeRequest(context, forward.request, null)
      yield* Deferred.succeed(outcome, reply)
      return reply
    })
}
