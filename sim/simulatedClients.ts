import { Effect, Exit, Random, Scope } from "effect"
import { type Connection, runClientThread } from "../linkv/clientThread.js"
import { makeGenerator } from "../linkv/generator.js"
import type { HistoryRecorder } from "../linkv/historyRecorder.js"
import { type Response, responseOf } from "../linkv/outcome.js"
import { describeBody, describeCommand } from "./describeMessage.js"
import type { WorkloadOptions } from "./SimApplication.js"
import type { SimCluster } from "./SimCluster.js"

/**
 * A client process's connection to a simulated node, under the client id
 * `c<process>`, its requests and replies written into the trace. Its endpoint
 * (with its RPC timer) lasts until the connection is closed.
 */
export const connectSimulatedClient = (cluster: SimCluster, process: number, node: string): Effect.Effect<Connection> =>
  Effect.gen(function*() {
    const scope = yield* Scope.make()
    const endpoint = yield* Scope.extend(cluster.client(`c${process}`), scope)
    return {
      node,
      call: (body, timeoutMs) =>
        Effect.gen(function*() {
          cluster.note(`client ${process} -> ${node} ${describeCommand(body)}`)
          const response = yield* endpoint.rpc(node, body, timeoutMs).pipe(
            Effect.map(responseOf),
            Effect.catchTag("RpcTimeout", () => Effect.succeed<Response>({ _tag: "Timeout", afterMs: timeoutMs }))
          )
          cluster.note(`client ${process} <- ${response._tag === "Reply" ? describeBody(response.reply) : response._tag}`)
          return response
        }),
      close: Scope.close(scope, Exit.void)
    } satisfies Connection
  })

/** Shorter keys than Maelstrom's, so that a short simulated run still covers several. */
const simulatedOpsPerKey = { min: 60, max: 100 }

/**
 * Maelstrom's lin-kv clients (linkv/) against a simulated cluster. Each
 * process talks to a node picked at random, so that a thread's successive
 * processes reach different nodes.
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
      readOnlyPerGroup: 0,
      opsPerKey: simulatedOpsPerKey,
      rate: options.rate,
      mix: options.mix
    })
    const connect = (process: number) =>
      Effect.flatMap(Random.nextIntBetween(0, cluster.nodeIds.length), (i) => connectSimulatedClient(cluster, process, cluster.nodeIds[i]!))
    yield* Effect.forEach(
      Array.from({ length: options.clients }, (_, i) => i),
      (thread) =>
        runClientThread({
          generator,
          recorder,
          concurrency: options.clients,
          timeoutMs: options.timeoutMs,
          untilMillis: options.untilMs,
          connect
        }, thread),
      { concurrency: "unbounded", discard: true }
    )
  })
