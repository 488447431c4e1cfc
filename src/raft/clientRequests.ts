import { Deferred, Effect, Schema } from "effect"
import { ErrorCode } from "../protocol/errorCodes.js"
import { errorReply, KvReply, type KvRequest } from "../protocol/kvMessages.js"
import type { Forward } from "../protocol/raftMessages.js"
import { type RaftContext, ringAll, transition } from "./RaftContext.js"

const decodeReply = Schema.decodeUnknownOption(KvReply)

/** How many times a request may be passed on before a node answers it itself. */
export const initialHops = 2

/** Where a request went: into this leader's log (with its waiter), or to whom to pass it on. */
type Placement =
  | { readonly leaderId: string | null; readonly waiter: null }
  | { readonly leaderId: string; readonly waiter: { readonly index: number; readonly reply: Deferred.Deferred<KvReply> } }

const timedOut = (what: string) =>
  errorReply(ErrorCode.timeout, `timed out waiting for ${what}; the operation may or may not have happened`)

/**
 * As leader: append the operation, replicate, and answer once it is applied.
 * Not leader: pass it on to the leader this node knows (with our own RPC),
 * or answer "temporarily unavailable" (definite: it never entered a log).
 */
export const executeRequest = (context: RaftContext, request: KvRequest, hopsLeft: number): Effect.Effect<KvReply> =>
  Effect.gen(function*() {
    const { msg_id: _, ...command } = request
    const appended = yield* transition<Placement>(context, (state) =>
      Effect.gen(function*() {
        if (state.role !== "leader") return [{ leaderId: state.leaderId, waiter: null }, state] as const
        const term = context.log.hardState().term
        const index = context.log.lastIndex() + 1
        yield* Effect.orDie(context.log.append([{ term, command }]))
        const waiter = yield* context.pending.register(index, term)
        return [{ leaderId: context.self, waiter: { index, reply: waiter } }, state] as const
      }))
    if (appended.waiter !== null) {
      const { index, reply } = appended.waiter
      yield* context.commitSignal.ring
      yield* ringAll(context.replicateSignals)
      return yield* Deferred.await(reply).pipe(
        Effect.timeout(context.config.requestTimeoutMs),
        Effect.catchTag("TimeoutException", () => Effect.as(context.pending.forget(index), timedOut("commit")))
      )
    }
    if (appended.leaderId === null || hopsLeft <= 0) {
      return errorReply(ErrorCode.temporarilyUnavailable, "no leader known; try again")
    }
    const forward: Forward = { type: "forward", hops_left: hopsLeft - 1, request: command }
    return yield* context.network.rpc(appended.leaderId, forward, context.config.requestTimeoutMs).pipe(
      Effect.map((body) => {
        const { in_reply_to: _inReplyTo, msg_id: _msgId, ...reply } = body
        const decoded = decodeReply(reply)
        return decoded._tag === "Some"
          ? decoded.value
          : errorReply(ErrorCode.crash, `the leader answered with an unreadable reply; the operation may have happened`)
      }),
      Effect.catchTag("RpcTimeout", () => Effect.succeed(timedOut(`leader ${appended.leaderId}`)))
    )
  })
