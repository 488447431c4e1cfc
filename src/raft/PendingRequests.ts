import { Deferred, Effect } from "effect"
import type { KvReply } from "../protocol/kvMessages.js"

/**
 * Client requests this node appended to its log as leader, waiting for their
 * entry to be applied. Each is known by (index, term): when index is applied
 * with that term, the waiter gets the state machine's answer; when index is
 * applied with another term, the entry was overwritten and, by log matching,
 * can never commit, so the waiter gets `ifOverwritten`.
 */
export interface PendingRequests {
  readonly register: (index: number, term: number, ifOverwritten: KvReply) => Effect.Effect<Deferred.Deferred<KvReply>>
  readonly forget: (index: number) => Effect.Effect<void>
  readonly settle: (index: number, term: number, reply: KvReply | null) => Effect.Effect<void>
}

export const makePendingRequests = (): PendingRequests => {
  const waiting = new Map<
    number,
    { readonly term: number; readonly reply: Deferred.Deferred<KvReply>; readonly ifOverwritten: KvReply }
  >()
  return {
    register: (index, term, ifOverwritten) =>
      Effect.map(Deferred.make<KvReply>(), (reply) => {
        waiting.set(index, { term, reply, ifOverwritten })
        return reply
      }),
    forget: (index) => Effect.sync(() => void waiting.delete(index)),
    settle: (index, term, reply) =>
      Effect.suspend(() => {
        const request = waiting.get(index)
        if (request === undefined) return Effect.void
        waiting.delete(index)
        const answer = request.term === term && reply !== null ? reply : request.ifOverwritten
        return Deferred.succeed(request.reply, answer)
      })
  }
}
