import { Effect } from "effect"
import type { Body, Envelope } from "../../src/protocol/envelope.js"
import { emptyCounters, type Router } from "../../workbench/router.js"

/** A router whose nodes answer every client request with what `answer` gives (undefined: no answer), recording the requests. */
export const answeringRouter = (answer: (request: Envelope) => Body | undefined) =>
  Effect.sync(() => {
    const sent: Array<Envelope> = []
    const clients = new Map<string, (envelope: Envelope) => Effect.Effect<void>>()
    const router: Router = {
      fromNode: () => Effect.void,
      fromClient: (request) =>
        Effect.suspend(() => {
          sent.push(request)
          const reply = answer(request)
          if (reply === undefined) return Effect.void
          const body = { ...reply, in_reply_to: request.body.msg_id }
          return clients.get(request.src)?.({ src: request.dest, dest: request.src, body }) ?? Effect.void
        }),
      openClient: (id, deliver) => Effect.sync(() => void clients.set(id, deliver)),
      closeClient: (id) => Effect.sync(() => void clients.delete(id)),
      setPartition: () => Effect.void,
      counters: Effect.succeed(emptyCounters)
    }
    return { router, sent, openClients: () => clients.size }
  })
