import { Clock, Effect, Random } from "effect"
import type { CounterHistoryOp } from "../../checker/counter/history.js"
import type { HistoryRecorder } from "../../linkv/historyRecorder.js"
import type { WorkloadOptions } from "../SimApplication.js"
import type { SimCluster } from "../SimCluster.js"
import { type CounterOp, performCounterOperation, redirectOf } from "./counterClient.js"

/**
 * The deltas clients add, uniformly: small, so that identical adds (which
 * the checker takes as one class when they time out) are common, and a few
 * negative, so that the counter goes down as well as up.
 */
const deltas = { min: -2, max: 5 }

/**
 * Counter clients against a simulated cluster: each thread runs client
 * processes one after another, each starting on a node picked at random and
 * moving to the leader a node names when it refuses a request (the counter
 * forwards nothing), an operation at a time after a random pause (of mean
 * `clients / rate` seconds, so that all together keep near the rate). A read
 * is drawn with the mix's read weight, an add with its write and cas
 * weights together. A process whose add ends `info` is retired, as Jepsen's
 * are, and the thread goes on as a fresh process.
 */
export const runCounterClients = (
  cluster: SimCluster,
  recorder: HistoryRecorder<CounterHistoryOp>,
  options: WorkloadOptions
): Effect.Effect<void> =>
  Effect.gen(function*() {
    const meanGapMs = (1000 * options.clients) / options.rate
    const { cas, read, write } = options.mix
    const nextOp: Effect.Effect<CounterOp> = Effect.gen(function*() {
      if ((yield* Random.next) * (read + write + cas) < read) return { f: "read" }
      return { f: "add", delta: yield* Random.nextIntBetween(deltas.min, deltas.max + 1) }
    })

    /** One process until an operation of it ends `info` (true: a fresh process takes over) or the workload ends (false). */
    const runProcess = (process: number) =>
      Effect.scoped(Effect.gen(function*() {
        let node = cluster.nodeIds[yield* Random.nextIntBetween(0, cluster.nodeIds.length)]!
        const endpoint = yield* cluster.client(`c${process}`)
        while (true) {
          yield* Effect.sleep((yield* Random.next) * 2 * meanGapMs)
          if ((yield* Clock.currentTimeMillis) >= options.untilMs) return false
          const outcome = yield* performCounterOperation(cluster, recorder, endpoint, process, node, yield* nextOp, options.timeoutMs)
          if (outcome.type === "info") return true
          node = redirectOf(outcome) ?? node
        }
      }))

    yield* Effect.forEach(
      Array.from({ length: options.clients }, (_, thread) => thread),
      (thread) =>
        Effect.gen(function*() {
          let process = thread
          while (yield* runProcess(process)) process += options.clients
        }),
      { concurrency: "unbounded", discard: true }
    )
  })
