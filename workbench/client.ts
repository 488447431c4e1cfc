import { Effect, Option, Queue } from "effect"
import type { Connection } from "../linkv/clientThread.js"
import { type Response, responseOf } from "../linkv/outcome.js"
import type { Envelope } from "../src/protocol/envelope.js"
import type { Router } from "./router.js"

/** Waits for the reply to `msgId`; replies to earlier, timed-out requests are skipped. */
const awaitReply = (mailbox: Queue.Queue<Envelope>, msgId: number, timeoutMs: number) =>
  Queue.take(mailbox).pipe(
    Effect.repeat({ until: (envelope) => envelope.body.in_reply_to === msgId }),
    Effect.timeoutOption(timeoutMs),
    Effect.map((reply): Response =>
      Option.isNone(reply) ? { _tag: "Timeout", afterMs: timeoutMs } : responseOf(reply.value.body)
    )
  )

/**
 * A client process's connection through the router, bound to a node as
 * Jepsen binds them (process number mod node count), under a client id never
 * used before.
 */
export const connectClient = (
  router: Router,
  nodeIds: ReadonlyArray<string>,
  freshClientId: Effect.Effect<string>
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
            Effect.zipRight(awaitReply(mailbox, msgId, timeoutMs))
          )
        }),
      close: router.closeClient(clientId)
    }
  })
