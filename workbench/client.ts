import { Effect, Option, Queue } from "effect"
import type { Connection } from "../linkv/clientThread.js"
import { type Response, responseOf } from "../linkv/outcome.js"
import type { Envelope } from "../src/protocol/envelope.js"
import type { MalformedReplyLog } from "./malformedReplies.js"
import type { Router } from "./router.js"

/** Waits for the reply to `msgId`; replies to earlier, timed-out requests are skipped. A malformed reply is logged. */
const awaitReply = (mailbox: Queue.Queue<Envelope>, msgId: number, timeoutMs: number, malformed: MalformedReplyLog) =>
  Queue.take(mailbox).pipe(
    Effect.repeat({ until: (envelope) => envelope.body.in_reply_to === msgId }),
    Effect.timeoutOption(timeoutMs),
    Effect.flatMap((reply) => {
      if (Option.isNone(reply)) return Effect.succeed<Response>({ _tag: "Timeout", afterMs: timeoutMs })
      const response = responseOf(reply.value.body)
      return response._tag === "Malformed"
        ? Effect.as(malformed.record(reply.value.src, reply.value.body, response.problem), response)
        : Effect.succeed(response)
    })
  )

/**
 * A client process's connection through the router, bound to a node as
 * Jepsen binds them (process number mod node count), under a client id never
 * used before.
 */
export const connectClient = (
  router: Router,
  nodeIds: ReadonlyArray<string>,
  freshClientId: Effect.Effect<string>,
  malformed: MalformedReplyLog
) =>
(process: number): Effect.Effect<Connection> =>
  Effect.gen(function*() {
    const clientId = yield* freshClientId
    const node = nodeIds[process % nodeIds.length]!
    const mailbox = yield* Queue.unbounded<Envelope>()
    yield* router.openClient(clientId, (envelope) => Queue.offer(mailbox, envelope))
    let msgId = 0
    return {
      node,
      call: (body, timeoutMs) =>
        Effect.suspend(() => {
          msgId += 1
          return router.fromClient({ src: clientId, dest: node, body: { ...body, msg_id: msgId } }).pipe(
            Effect.zipRight(awaitReply(mailbox, msgId, timeoutMs, malformed))
          )
        }),
      close: router.closeClient(clientId)
    }
  })
