import { Clock, Duration, Effect, Option, type Scope } from "effect"
import type { Connection } from "../linkv/clientThread.js"
import { type Response, responseOf } from "../linkv/outcome.js"
import type { Body, Envelope } from "../src/protocol/envelope.js"
import type { MalformedReplyLog } from "./malformedReplies.js"
import { ReplyMailbox } from "./replyMailbox.js"
import type { Router } from "./router.js"

const nanosPerMilli = 1_000_000n

/** One client's link to one node through the router: one request out at a time, and its reply back. */
export interface ClientLink {
  readonly node: string
  /** Sends `body` (under a fresh msg_id) and waits at most `timeoutMs` for its reply; none when it did not come in time. */
  readonly request: (body: Body, timeoutMs: number) => Effect.Effect<Option.Option<Envelope>>
  readonly close: Effect.Effect<void>
}

/**
 * Opens a link from `clientId` (never used before) to `node`, as a client of
 * the cluster talks to it, with no latency and never cut. Its timer fiber
 * lives in `scope`.
 */
export const openClientLink = (
  router: Router,
  node: string,
  clientId: string,
  scope: Scope.Scope
): Effect.Effect<ClientLink> =>
  Effect.gen(function*() {
    const mailbox = new ReplyMailbox()
    yield* router.openClient(clientId, (envelope) => Effect.sync(() => mailbox.deliver(envelope)))

    // One timer per connection, not one per request (a timeout per request
    // cost more CPU than the request): it sleeps until the deadline of the
    // request waiting then, and on while requests wait. A request with an
    // earlier deadline than the timer's starts a new timer, which retires
    // the old one.
    let timerGeneration = 0
    let timerWakesAt: bigint | undefined
    const timer = (generation: number) =>
      Effect.gen(function*() {
        while (true) {
          const now = yield* Clock.currentTimeNanos
          const deadline = mailbox.expire(now)
          if (generation !== timerGeneration) return
          timerWakesAt = deadline
          if (deadline === undefined) return
          yield* Effect.sleep(Duration.nanos(deadline - now))
        }
      })
    const watch = (deadline: bigint) =>
      Effect.suspend(() => {
        if (timerWakesAt !== undefined && timerWakesAt <= deadline) return Effect.void
        timerGeneration += 1
        timerWakesAt = deadline
        return Effect.asVoid(Effect.forkIn(timer(timerGeneration), scope))
      })

    const awaitReply = (msgId: number, timeoutMs: number): Effect.Effect<Option.Option<Envelope>> =>
      Effect.gen(function*() {
        const deadline = (yield* Clock.currentTimeNanos) + BigInt(timeoutMs) * nanosPerMilli
        mailbox.expect(msgId, deadline)
        yield* watch(deadline)
        return yield* Effect.async<Option.Option<Envelope>>((resume) => {
          const decided = mailbox.onOutcome((outcome) => resume(Effect.succeed(outcome)))
          if (decided !== undefined) return resume(Effect.succeed(decided))
          return Effect.sync(() => mailbox.abandon())
        })
      })

    let msgId = 0
    return {
      node,
      request: (body, timeoutMs) =>
        Effect.suspend(() => {
          msgId += 1
          return Effect.zipRight(router.fromClient({ src: clientId, dest: node, body: { ...body, msg_id: msgId } }),
            awaitReply(msgId, timeoutMs))
        }),
      close: router.closeClient(clientId)
    }
  })

/**
 * A lin-kv client process's connection, bound to a node as Jepsen binds
 * them (process number mod node count), under a client id never used
 * before; replies are decoded as lin-kv replies, and malformed ones logged.
 */
export const connectClient = (
  router: Router,
  nodeIds: ReadonlyArray<string>,
  freshClientId: Effect.Effect<string>,
  malformed: MalformedReplyLog,
  scope: Scope.Scope
) =>
(process: number): Effect.Effect<Connection> =>
  Effect.gen(function*() {
    const link = yield* openClientLink(router, nodeIds[process % nodeIds.length]!, yield* freshClientId, scope)
    const toResponse = (reply: Option.Option<Envelope>, timeoutMs: number): Effect.Effect<Response> => {
      if (Option.isNone(reply)) return Effect.succeed({ _tag: "Timeout", afterMs: timeoutMs })
      const response = responseOf(reply.value.body)
      return response._tag === "Malformed"
        ? Effect.as(malformed.record(reply.value.src, reply.value.body, response.problem), response)
        : Effect.succeed(response)
    }
    return {
      node: link.node,
      call: (body, timeoutMs) => Effect.flatMap(link.request(body, timeoutMs), (reply) => toResponse(reply, timeoutMs)),
      close: link.close
    }
  })
