import { Clock, Effect, Either, ParseResult, Random, Schema } from "effect"
import { KvReply } from "../src/protocol/kvMessages.js"
import { classifyResponse, invokeValue, type Operation, type Response } from "../workbench/clientOutcome.js"
import { makeGenerator } from "../workbench/generator.js"
import type { HistoryRecorder } from "../workbench/historyRecorder.js"
import { describeCommand } from "./describeMessage.js"
import type { SimCluster } from "./SimCluster.js"

export interface WorkloadOptions {
  /** Client threads; each has one request in flight at most. */
  readonly clients: number
  /** Operations per second, all clients together. */
  readonly rate: number
  /** A request unanswered this long is `info` (or `fail` for a read), and its client is replaced. */
  readonly timeoutMs: number
  /** No operation starts at or after this simulated time. */
  readonly untilMs: number
}

const decodeReply = Schema.decodeUnknownEither(KvReply)

const requestBody = (op: Operation) => {
  switch (op.f) {
    case "read":
      return { type: "read", key: op.key }
    case "write":
      return { type: "write", key: op.key, value: op.value }
    case "cas":
      return { type: "cas", key: op.key, from: op.from, to: op.to }
  }
}

/**
 * Maelstrom's lin-kv clients against a simulated cluster, with the
 * workbench's generator (a few keys at once, read/write/cas over values 0..4)
 * and its judgement of replies: a definite error is `fail`, a timeout or an
 * indefinite error `info`, after which the thread goes on as a fresh process
 * with a fresh client id, talking to a node picked at random.
 */
export const runSimulatedClients = (
  cluster: SimCluster,
  recorder: HistoryRecorder,
  options: WorkloadOptions
): Effect.Effect<void> =>
  Effect.gen(function*() {
    const generator = yield* makeGenerator({
      concurrency: options.clients,
      groupSize: Math.min(options.clients, Math.max(2, cluster.nodeIds.length)),
      rate: options.rate
    })
    const pickNode = Effect.map(Random.nextIntBetween(0, cluster.nodeIds.length), (i) => cluster.nodeIds[i]!)

    const thread = (index: number) =>
      Effect.gen(function*() {
        let process = index
        let node = yield* pickNode
        let endpoint = yield* cluster.client(`c${process}`)
        while (true) {
          yield* generator.awaitTurn
          if ((yield* Clock.currentTimeMillis) >= options.untilMs) return
          const op = yield* generator.nextOperation(generator.groupOf(index))
          const body = requestBody(op)
          const common = { process, f: op.f, key: op.key, node } as const
          cluster.note(`client ${process} -> ${node} ${describeCommand(body)}`)
          yield* recorder.record({ ...common, type: "invoke", value: invokeValue(op) })
          const response: Response = yield* endpoint.rpc(node, body, options.timeoutMs).pipe(
            Effect.map((reply): Response => {
              const decoded = decodeReply(reply)
              return Either.isRight(decoded)
                ? { _tag: "Reply", reply: decoded.right }
                : { _tag: "Malformed", problem: ParseResult.TreeFormatter.formatErrorSync(decoded.left) }
            }),
            Effect.catchTag("RpcTimeout", () => Effect.succeed<Response>({ _tag: "Timeout", afterMs: options.timeoutMs }))
          )
          const outcome = classifyResponse(op, response)
          cluster.note(`client ${process} <- ${outcome.type} ${JSON.stringify(outcome.value)}${outcome.error ? ` (error ${outcome.error.code}: ${outcome.error.text})` : ""}`)
          yield* recorder.record({ ...common, ...outcome })
          if (outcome.type === "info") {
            process += options.clients
            node = yield* pickNode
            endpoint = yield* cluster.client(`c${process}`)
          }
        }
      })

    yield* Effect.forEach(Array.from({ length: options.clients }, (_, i) => i), thread, {
      concurrency: "unbounded",
      discard: true
    })
  })
