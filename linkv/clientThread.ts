import { Clock, Effect } from "effect"
import type { Generator } from "./generator.js"
import type { HistoryRecorder } from "./historyRecorder.js"
import { invokeValue, type Operation, type RequestBody, requestBody } from "./operation.js"
import { classifyResponse, type Outcome, type Response } from "./outcome.js"

/** Maelstrom's client timeout: ten mean network latencies, and never under a second. */
export const clientTimeoutMs = (meanLatencyMs: number) => Math.max(10 * meanLatencyMs, 1000)

/** One client process's link to one node: how a request goes out and its reply comes back. */
export interface Connection {
  /** The node this client talks to. */
  readonly node: string
  /** Sends a request and waits for its reply, at most `timeoutMs`. */
  readonly call: (body: RequestBody, timeoutMs: number) => Effect.Effect<Response>
  readonly close: Effect.Effect<void>
}

export interface ClientThreadOptions {
  readonly generator: Generator
  readonly recorder: HistoryRecorder
  /** Client threads in all; a retired process is replaced by process + concurrency. */
  readonly concurrency: number
  /** A request unanswered this long is `info` (or `fail` for a read), and its process is retired. */
  readonly timeoutMs: number
  /** No operation starts at or after this Clock time, in milliseconds. */
  readonly untilMillis: number
  /** Opens the connection of a client process (the judge picks its node and client id). */
  readonly connect: (process: number) => Effect.Effect<Connection>
}

/** One operation by `process` over `connection`, recorded as an invoke and its completion; the completion. */
export const performOperation = (
  recorder: HistoryRecorder,
  connection: Connection,
  process: number,
  op: Operation,
  timeoutMs: number
): Effect.Effect<Outcome> =>
  Effect.gen(function*() {
    const common = { process, f: op.f, key: op.key, node: connection.node } as const
    yield* recorder.record({ ...common, type: "invoke", value: invokeValue(op) })
    const outcome = classifyResponse(op, yield* connection.call(requestBody(op), timeoutMs))
    yield* recorder.record({ ...common, ...outcome })
    return outcome
  })

/**
 * One Jepsen client thread: operations one at a time until `untilMillis`,
 * each recorded as an invoke and its completion. A process whose operation
 * ends `info` is retired: the thread goes on as a fresh process with a fresh
 * connection, as Maelstrom's clients do.
 */
export const runClientThread = (options: ClientThreadOptions, thread: number): Effect.Effect<void> =>
  Effect.gen(function*() {
    const { generator } = options
    let process = thread
    let connection = yield* options.connect(process)
    while (true) {
      yield* generator.awaitTurn
      if ((yield* Clock.currentTimeMillis) >= options.untilMillis) break
      const op = yield* generator.nextOperation(thread)
      const outcome = yield* performOperation(options.recorder, connection, process, op, options.timeoutMs)
      if (outcome.type === "info") {
        yield* connection.close
        process += options.concurrency
        connection = yield* options.connect(process)
      }
    }
    yield* connection.close
  })
