import { Deferred, Effect, Queue, Random, Scope } from "effect"
import { type NetworkShape, RpcTimeout } from "../../services/Network.js"
import type { Body, Envelope, NodeId } from "../protocol/envelope.js"
import { makeTimeouts, type Timeouts } from "../Timeouts.js"

/**
 * The transport-independent half of every Network layer: msg_id allocation,
 * RPC correlation by `in_reply_to`, and the queue of incoming requests.
 * A layer supplies `transmit` (how an envelope leaves) and calls `deliver`
 * for every envelope that arrives; one addressed to another node, or a reply
 * from a node other than the one asked, is logged and dropped. RPC deadlines
 * are kept by one timer fiber per distinct timeout (see Timeouts.ts), living
 * in the scope the core is made in.
 */
export interface NetworkCore {
  readonly network: NetworkShape
  readonly deliver: (envelope: Envelope) => Effect.Effect<void>
}

export const makeNetworkCore = (options: {
  readonly self: NodeId
  readonly nodeIds: ReadonlyArray<NodeId>
  readonly transmit: (envelope: Envelope) => Effect.Effect<void>
}): Effect.Effect<NetworkCore, never, Scope.Scope> =>
  Effect.gen(function*() {
    const { nodeIds, self, transmit } = options
    const scope = yield* Effect.scope
    const incoming = yield* Queue.unbounded<Envelope>()
    // Each RPC awaiting its answer, with the node that must give it.
    const pending = new Map<number, { readonly dest: NodeId; readonly answer: Deferred.Deferred<Body, RpcTimeout> }>()
    // A node uses a timeout or two (Raft RPCs, forwards): one timer for each, made when first needed.
    const timeoutsByMs = new Map<number, Timeouts>()
    const timeoutsOf = (timeoutMs: number) =>
      Effect.suspend(() => {
        const made = timeoutsByMs.get(timeoutMs)
        if (made !== undefined) return Effect.succeed(made)
        return Effect.tap(Scope.extend(makeTimeouts(timeoutMs), scope), (timeouts) => timeoutsByMs.set(timeoutMs, timeouts))
      })
    // A random start per incarnation: after a restart, a late reply to the
    // previous incarnation's RPC must not be taken for the answer to a new one.
    const firstMsgId = (yield* Random.nextIntBetween(0, 2 ** 31)) * 2 ** 21 + 1
    let nextMsgId = firstMsgId

    const send = (dest: NodeId, body: Body) => transmit({ src: self, dest, body })

    const reply = (request: Envelope, body: Body) =>
      request.body.msg_id === undefined
        ? Effect.void
        : send(request.src, { ...body, in_reply_to: request.body.msg_id })

    const rpc = (dest: NodeId, body: Body, timeoutMs: number) =>
      Effect.gen(function*() {
        const timeouts = yield* timeoutsOf(timeoutMs)
        const msgId = nextMsgId++
        const answer = yield* Deferred.make<Body, RpcTimeout>()
        pending.set(msgId, { dest, answer })
        yield* send(dest, { ...body, msg_id: msgId })
        return yield* timeouts.await(answer, Effect.failSync(() => new RpcTimeout({ dest, type: body.type }))).pipe(
          Effect.ensuring(Effect.sync(() => pending.delete(msgId)))
        )
      })

    const deliver = (envelope: Envelope): Effect.Effect<void> => {
      const { dest, src } = envelope
      const { in_reply_to: inReplyTo, type } = envelope.body
      if (dest !== self) return Effect.logWarning(`${type} from ${src} to ${dest} dropped: this node is ${self}`)
      if (inReplyTo === undefined) return Queue.offer(incoming, envelope)
      const waiting = pending.get(inReplyTo)
      if (waiting !== undefined && waiting.dest !== src) {
        return Effect.logWarning(`${type} from ${src} dropped: it answers msg_id ${inReplyTo}, which was sent to ${waiting.dest}`)
      }
      if (waiting !== undefined) {
        pending.delete(inReplyTo)
        return Deferred.succeed(waiting.answer, envelope.body)
      }
      // Late replies (after a timeout) are normal; a reply to an id never issued is not.
      return inReplyTo >= firstMsgId && inReplyTo < nextMsgId
        ? Effect.logDebug(`late reply dropped: ${type} from ${src} to ${inReplyTo}`)
        : Effect.logWarning(`reply to an unknown msg_id ${inReplyTo} from ${src} dropped`)
    }

    return { network: { self, nodeIds, reply, rpc, incoming }, deliver }
  })
