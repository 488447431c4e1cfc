import { Clock, Data, Deferred, Effect, Queue, Ref } from "effect"
import type { Envelope } from "../src/protocol/envelope.js"
import { maelstromLatency } from "../linkv/latency.js"
import { type NodeProcess, type ProcessExit, startNodeProcess } from "./nodeProcess.js"
import { makeRouter, type Router } from "./router.js"
import type { TestOptions } from "./testOptions.js"

/** A node did not answer init with init_ok in time, or died first: the test cannot run. */
export class NodeInitError extends Data.TaggedError("NodeInitError")<{ readonly message: string }> {}

/** A node process that ended while the test still needed it. */
export interface NodeCrash {
  readonly node: string
  readonly code: number | null
  readonly signal: string | null
  /** Milliseconds since the clients started (see `crashesSince`). */
  readonly atMs: number
  /** The last lines the node wrote on stderr, to show why it died. */
  readonly stderrTail: ReadonlyArray<string>
  /** Where its whole stderr is. */
  readonly logPath: string
}

export interface Cluster {
  readonly router: Router
  readonly nodes: ReadonlyArray<NodeProcess>
  /** A client id never used before: `c1`, `c2`, ... (init uses the first ones, as Maelstrom's setup clients do). */
  readonly freshClientId: Effect.Effect<string>
  /** The crashes so far, timed in milliseconds since `originMillis` (Clock time). */
  readonly crashesSince: (originMillis: number) => Effect.Effect<ReadonlyArray<NodeCrash>>
  /** From now on a node exiting is the test stopping it, not a crash. */
  readonly markStopping: Effect.Effect<void>
  /** Succeeds when every node has crashed: nothing is left to test. */
  readonly allCrashed: Effect.Effect<void>
}

/** A dead node's last stderr lines, indented, for an error message or the summary. */
export const showStderrTail = (tail: ReadonlyArray<string>, logPath: string): string =>
  tail.length === 0
    ? `it wrote nothing on stderr (${logPath})`
    : `the last ${tail.length} line(s) of its stderr (all in ${logPath}):\n${tail.map((line) => `    | ${line}`).join("\n")}`

/** Maelstrom aborts a test whose node does not answer init within 10 s. */
const initTimeoutMs = 10_000

const initialize = (router: Router, node: NodeProcess, nodeIds: ReadonlyArray<string>, clientId: string, logPath: string) =>
  Effect.gen(function*() {
    const replies = yield* Queue.unbounded<Envelope>()
    yield* router.openClient(clientId, (envelope) => Queue.offer(replies, envelope))
    yield* router.fromClient({
      src: clientId,
      dest: node.id,
      body: { type: "init", msg_id: 1, node_id: node.id, node_ids: [...nodeIds] }
    })
    const initOk = Queue.take(replies).pipe(
      Effect.repeat({ until: (reply) => reply.body.in_reply_to === 1 }),
      Effect.flatMap((reply) =>
        reply.body.type === "init_ok"
          ? Effect.void
          : Effect.fail(new NodeInitError({ message: `${node.id} answered init with ${JSON.stringify(reply.body)}` }))
      )
    )
    const died = Effect.gen(function*() {
      const exit = yield* Deferred.await(node.exited)
      return yield* new NodeInitError({
        message: `${node.id} exited (code ${exit.code}, signal ${exit.signal}) before answering init; ` +
          showStderrTail(yield* node.stderrTail, logPath)
      })
    })
    const timedOut = Effect.gen(function*() {
      const cutOff = (yield* router.counters).stdoutCutOff.find((cut) => cut.node === node.id)
      return yield* new NodeInitError({
        message: `${node.id} did not answer init within ${initTimeoutMs / 1000} s; its stderr is in ${logPath}` +
          (cutOff === undefined
            ? ""
            : `. Its stdout was not read after a line that is not a JSON message: ${JSON.stringify(cutOff.line)}; print logs on stderr`)
      })
    })
    yield* Effect.raceFirst(initOk, died).pipe(
      Effect.timeoutOption(initTimeoutMs),
      Effect.flatMap((answered) => (answered._tag === "Some" ? Effect.void : timedOut)),
      Effect.ensuring(router.closeClient(clientId))
    )
  })

/**
 * Starts every node in the temp directory, wires their stdout into the router,
 * watches for crashes, and initializes them all. Closing the scope stops them.
 */
export const startCluster = (options: {
  readonly test: TestOptions
  readonly workDir: string
  readonly logPath: (node: string) => string
}) =>
  Effect.gen(function*() {
    const { test } = options
    const nodes: Array<NodeProcess> = []
    for (const id of test.nodeIds) {
      nodes.push(
        yield* startNodeProcess({
          id,
          bin: test.bin,
          args: test.binArgs,
          workDir: options.workDir,
          stderrPath: options.logPath(id),
          echoStderr: test.logStderr
        })
      )
    }
    const router = yield* makeRouter({
      nodes: new Map(nodes.map((node) => [node.id, node.send])),
      latency: maelstromLatency(test.latencyMs, test.latencyDistribution)
    })
    for (const node of nodes) {
      yield* Queue.take(node.stdoutLines).pipe(
        Effect.flatMap((line) => router.fromNode(node.id, line)),
        Effect.forever,
        Effect.forkScoped
      )
    }

    const stopping = yield* Ref.make(false)
    const crashes = yield* Ref.make<ReadonlyArray<{ node: NodeProcess; exit: ProcessExit; atMillis: number }>>([])
    const allCrashed = yield* Deferred.make<void>()
    for (const node of nodes) {
      yield* Deferred.await(node.exited).pipe(
        Effect.flatMap((exit) =>
          Effect.gen(function*() {
            if (yield* Ref.get(stopping)) return
            const atMillis = yield* Clock.currentTimeMillis
            yield* Effect.logError(`node ${node.id} died (code ${exit.code}, signal ${exit.signal}): the run is invalid`)
            const crashed = yield* Ref.updateAndGet(crashes, (cs) => [...cs, { node, exit, atMillis }])
            if (crashed.length === nodes.length) yield* Deferred.succeed(allCrashed, undefined)
          })
        ),
        Effect.forkScoped
      )
    }

    const clientCounter = yield* Ref.make(0)
    const freshClientId = Effect.map(Ref.updateAndGet(clientCounter, (n) => n + 1), (n) => `c${n}`)
    const initClients: Array<string> = []
    for (let i = 0; i < nodes.length; i++) initClients.push(yield* freshClientId)
    yield* Effect.forEach(nodes, (node, i) => initialize(router, node, test.nodeIds, initClients[i]!, options.logPath(node.id)), {
      concurrency: "unbounded",
      discard: true
    })

    const cluster: Cluster = {
      router,
      nodes,
      freshClientId,
      crashesSince: (originMillis) =>
        Effect.flatMap(Ref.get(crashes), (cs) =>
          Effect.forEach(cs, ({ atMillis, exit, node }) =>
            Effect.map(node.stderrTail, (stderrTail): NodeCrash => ({
              node: node.id,
              ...exit,
              atMs: atMillis - originMillis,
              stderrTail,
              logPath: options.logPath(node.id)
            })))),
      markStopping: Ref.set(stopping, true),
      allCrashed: Deferred.await(allCrashed)
    }
    return cluster
  })

