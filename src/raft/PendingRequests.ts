import { Effect } from "effect"
import type { KvReply } from "../protocol/kvMessages.js"
import type { Responder } from "./InFlightRequests.js"

/**
 * Client requests this node appended to its log as leader, waiting for their
 * entry to be applied. Each is known by (index, term): when index is applied
 * with that term, the request is answered with the state machine's reply;
 * when index is applied with another term, the entry was overwritten and, by
 * log matching, can never commit, so it gets `ifOverwritten`. A request that
 * timed out meanwhile was answered already, and keeps that answer.
 */
export interface PendingRequests {
  readonly register: (index: number, term: number, ifOverwritten: KvReply, responder: Responder) => void
  readonly settle: (index: number, term: number, reply: KvReply | null) => Effect.Effect<void>
}

export const makePendingRequests = (): PendingRequests => {
  const waiting = new Map<number, { readonly term: number; readonly responder: Responder; readonly ifOverwritten: KvReply }>()
  return {
    register: (index, term, ifOverwritten, responder) => void waiting.set(index, { term, responder, ifOverwritten }),
    settle: (index, term, reply) =>
      Effect.suspend(() => {
        const request = waiting.get(index)
        if (request === undefined) return Effect.void
        waiting.delete(index)
        return request.responder.answer(request.term === term && reply !== null ? reply : request.ifOverwritten)
      })
  }
}
