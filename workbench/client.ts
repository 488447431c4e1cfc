import { Clock, Effect, Either, Option, ParseResult, Queue, Schema } from "effect"
import type { Envelope } from "../src/protocol/envelope.js"
import { KvReply } from "../src/protocol/kvMessages.js"
import { classifyResponse, invokeValue, type Operation, type Response } from "./clientOutcome.js"
import type { Generator } from "./generator.js"
import type { HistoryRecorder } from "./historyRecorder.js"
import type { Router } from "./router.js"

export interface ClientContext {
  readonly router: Router
  readonly recorder: HistoryRecorder
  readonly generator: Generator
  readonly nodeIds: ReadonlyArray<string>
  readonly concurrency: number
  /** Maelstrom's client timeout: max(10 x mean latency, 1000 ms). */
  readonly timeoutMs: number
  /** No operation starts at or after this time (Clock milliseconds). */
  readonly deadlineMillis: number
  /** A client id never used before: `c1`, `c2`, ... */
  readonly freshClientId: Effect.Effect<string>
}

const decodeReply = Schema.decodeUnknownEither(KvReply)

const requestBody = (op: Operation, msgId: number) => {
  switch (op.f) {
    case "read":
      return { type: "read", msg_id: msgId, key: op.key }
    case "write":
      return { type: "write", msg_id: msgId, key: op.key, value: op.value }
    case "cas":
      return { type: "cas", msg_id: msgId, key: op.key, from: op.from, to: op.to }
  }
}

/** One connection: a client id, the node it talks to, and its mailbox. */
interface Connection {
  readonly clientId: string
  readonly node: string
  readonly mailbox: Queue.Queue<Envelope>
}

/** Waits for the reply to `msgId`; replies to earlier, timed-out requests are skipped. */
const awaitReply = (mailbox: Queue.Queue<Envelope>, msgId: number, timeoutMs: number) =>
  Queue.take(mailbox).pipe(
    Effect.repeat({ until: (envelope) => envelope.body.in_reply_to === msgId }),
    Effect.timeoutOption(timeoutMs),
    Effect.map((reply): Response => {
      if (Option.isNone(reply)) return { _tag: "Timeout", afterMs: timeoutMs }
      const decoded = decodeReply(reply.value.body)
      return Either.isRight(decoded)
        ? { _tag: "Reply", reply: decoded.right }
        : { _tag: "Malformed", problem: ParseResult.TreeFormatter.formatErrorSync(decoded.left) }
    })
  )

/**
 * One Jepsen client thread: operations one at a time until the deadline. A
 * client whose operation ends `info` is retired; the thread goes on as a fresh
 * process (number + concurrency) with a fresh client id.
 */
export const runClientThread = (context: ClientContext, thread: number): Effect.Effect<void> =>
  Effect.gen(function*() {
    const { router, recorder, generator } = context
    const connect = (process: number) =>
      Effect.gen(function*() {
        const connection: Connection = {
          clientId: yield* context.freshClientId,
          node: context.nodeIds[process % context.nodeIds.length]!,
          mailbox: yield* Queue.unbounded<Envelope>()
        }
        yield* router.openClient(connection.clientId, (envelope) => Queue.offer(connection.mailbox, envelope))
        return connection
      })

    let process = thread
    let connection = yield* connect(process)
    let msgId = 0
    while (true) {
      yield* generator.awaitTurn
      if ((yield* Clock.currentTimeMillis) >= context.deadlineMillis) break
      const op = yield* generator.nextOperation(generator.groupOf(thread))
      msgId += 1
      const common = { process, f: op.f, key: op.key, node: connection.node } as const
      yield* recorder.record({ ...common, type: "invoke", value: invokeValue(op) })
      yield* router.fromClient({ src: connection.clientId, dest: connection.node, body: requestBody(op, msgId) })
      const outcome = classifyResponse(op, yield* awaitReply(connection.mailbox, msgId, context.timeoutMs))
      yield* recorder.record({ ...common, ...outcome })
      if (outcome.type === "info") {
        yield* router.closeClient(connection.clientId)
        process += context.concurrency
        connection = yield* connect(process)
        msgId = 0
      }
    }
    yield* router.closeClient(connection.clientId)
  })
