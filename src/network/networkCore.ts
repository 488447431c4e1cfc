import { Deferred, Effect, Either, Queue, Random, Scope } from "effect"
import { type NetworkShape, RpcTimeout } from "../../services/Network.js"
import type { Body, Envelope, NodeId } from "../protocol/envelope.js"
import { makeTimeouts, type Timeouts } from "../../foundation/Timeouts.js"

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
    const pending = new Map<
      number,
      { readonly dest: NodeId; readonly onAnswer: (answer: Either.Either<Body, RpcTimeout>) => Effect.Effect<void> }
    >()
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

    const rpcThen: NetworkShape["rpcThen"] = (dest, body, timeoutMs, onAnswer) =>
      Effect.flatMap(timeoutsOf(timeoutMs), (timeouts) => {
        const msgId = nextMsgId++
        pending.set(msgId, { dest, onAnswer })
        const answered = () => !pending.has(msgId)
        const expire = Effect.suspend(() => {
          pending.delete(msgId)
          return onAnswer(Either.left(new RpcTimeout({ dest, type: body.type })))
        })
        return Effect.zipRight(send(dest, { ...body, msg_id: msgId }), timeouts.start(answered, expire))
      })

    const rpc: NetworkShape["rpc"] = (dest, body, timeoutMs) =>
      Effect.flatMap(Deferred.make<Body, RpcTimeout>(), (answer) =>
        Effect.zipRight(
          rpcThen(dest, body, timeoutMs, (result) => Deferred.complete(answer, result)),
          Deferred.await(answer)
        ))

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
        return waiting.onAnswer(Either.right(envelope.body))
      }
      // Late replies (after a timeout) are normal; a reply to an id never issued is not.
      return inReplyTo >= firstMsgId && inReplyTo < nextMsgId
        ? Effect.logDebug(`late reply dropped: ${type} from ${src} to ${inReplyTo}`)
        : Effect.logWarning(`reply to an unknown msg_id ${inReplyTo} from ${src} dropped`)
    }

    return { network: { self, nodeIds, reply, rpc, rpcThen, incoming }, deliver }
  })
