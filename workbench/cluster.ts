import { mkdirSync } from "node:fs"
import { join } from "node:path"
import { Clock, Data, Deferred, Effect, Queue, Ref, Scope } from "effect"
import type { Envelope } from "../src/protocol/envelope.js"
import { maelstromLatency } from "../linkv/latency.js"
import { type NodeProcess, NodeSpawnError, type ProcessExit, startNodeProcess } from "./nodeProcess.js"
import { envelopeLine, makeRouter, type Router } from "./router.js"
import type { TestOptions } from "./testOptions.js"

/** A node did not answer init with init_ok in time, or died first: the test cannot run. */
export class NodeInitError extends Data.TaggedError("NodeInitError")<{
  readonly message: string
  /** The node's process exited before answering (so it is also a crash, when it was restarted mid-test). */
  readonly exited: boolean
}> {}

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

/**
 * Where a node is in its life. The kill and pause nemeses strike `running`
 * nodes only; a node stopped gracefully is `stopping` until its process has
 * exited; a `killed` (or stopped) node is down until its restart, which is
 * `restarting` until the node answers init.
 */
export type NodeStatus = "running" | "paused" | "stopping" | "killed" | "restarting" | "crashed"

/** A node's process ending is a crash unless the nemesis killed or stopped it, or the test is stopping it. */
export const exitIsCrash = (status: NodeStatus, stopping: boolean): boolean => !stopping && status !== "killed" && status !== "stopping"

/**
 * Messages reach a node that is running, or paused (its stdin holds them
 * until it continues, as a real socket would), or stopping (until its
 * process exits, as a machine's network works until it is down: a leader
 * handing over as it stops needs its followers' answers); a node that is
 * down, or restarted but not yet initialized, misses them, as it would on a
 * network.
 */
export const receivesMessages = (status: NodeStatus): boolean => status === "running" || status === "paused" || status === "stopping"

export interface Cluster {
  readonly router: Router
  /** A client id never used before: `c1`, `c2`, ... (init uses the first ones, as Maelstrom's setup clients do). */
  readonly freshClientId: Effect.Effect<string>
  /** The crashes so far, timed in milliseconds since `originMillis` (Clock time). */
  readonly crashesSince: (originMillis: number) => Effect.Effect<ReadonlyArray<NodeCrash>>
  /** From now on a node exiting is the test stopping it, not a crash. */
  readonly markStopping: Effect.Effect<void>
  /** Succeeds when every node has crashed: nothing is left to test. */
  readonly allCrashed: Effect.Effect<void>
  /** The nodes that are `running`, in the order of the test's node ids. */
  readonly runningNodes: Effect.Effect<ReadonlyArray<string>>
  /** The node's working directory, its own, as each node of a Jepsen test has a machine of its own. */
  readonly nodeDirectory: (node: string) => string
  /** SIGKILLs a running node (and what it started): it is down until `restart`; false when it was not running. */
  readonly kill: (node: string) => Effect.Effect<boolean>
  /**
   * Stops a running node gracefully (SIGTERM, then SIGKILL if it has not
   * exited within the grace period), and returns once it has: it is down
   * until `restart`, as after `kill`; false when it was not running.
   */
  readonly stop: (node: string) => Effect.Effect<boolean>
  /**
   * Starts a killed node again, as it was first started (directory,
   * arguments, environment), and sends it init; messages reach it once it
   * answers init_ok. Fails when it does not come back.
   */
  readonly restart: (node: string) => Effect.Effect<void, NodeInitError | NodeSpawnError>
  /** SIGSTOPs a running node; false when it was not running. */
  readonly pause: (node: string) => Effect.Effect<boolean>
  /** SIGCONTs a paused node. */
  readonly resume: (node: string) => Effect.Effect<void>
}

/** A dead node's last stderr lines, indented, for an error message or the summary. */
export const showStderrTail = (tail: ReadonlyArray<string>, logPath: string): string =>
  tail.length === 0
    ? `it wrote nothing on stderr (${logPath})`
    : `the last ${tail.length} line(s) of its stderr (all in ${logPath}):\n${tail.map((line) => `    | ${line}`).join("\n")}`

/** Maelstrom aborts a test whose node does not answer init within 10 s. */
const initTimeoutMs = 10_000

/** Sends `node` init through `send` and waits for init_ok, as Maelstrom's setup does. */
const initialize = (
  router: Router,
  send: (envelope: Envelope) => Effect.Effect<void>,
  node: NodeProcess,
  nodeIds: ReadonlyArray<string>,
  clientId: string,
  logPath: string
) =>
  Effect.gen(function*() {
    const replies = yield* Queue.unbounded<Envelope>()
    yield* router.openClient(clientId, (envelope) => Queue.offer(replies, envelope))
    yield* send({
      src: clientId,
      dest: node.id,
      body: { type: "init", msg_id: 1, node_id: node.id, node_ids: [...nodeIds] }
    })
    const initOk = Queue.take(replies).pipe(
      Effect.repeat({ until: (reply) => reply.body.in_reply_to === 1 }),
      Effect.flatMap((reply) =>
        reply.body.type === "init_ok"
          ? Effect.void
          : Effect.fail(new NodeInitError({ message: `${node.id} answered init with ${JSON.stringify(reply.body)}`, exited: false }))
      )
    )
    const died = Effect.gen(function*() {
      const exit = yield* Deferred.await(node.exited)
      return yield* new NodeInitError({
        message: `${node.id} exited (code ${exit.code}, signal ${exit.signal}) before answering init; ` +
          showStderrTail(yield* node.stderrTail, logPath),
        exited: true
      })
    })
    const timedOut = Effect.gen(function*() {
      const cutOff = (yield* router.counters).stdoutCutOff.find((cut) => cut.node === node.id)
      return yield* new NodeInitError({
        message: `${node.id} did not answer init within ${initTimeoutMs / 1000} s; its stderr is in ${logPath}` +
          (cutOff === undefined
            ? ""
            : `. Its stdout was not read after a line that is not a JSON message: ${JSON.stringify(cutOff.line)}; print logs on stderr`),
        exited: false
      })
    })
    yield* Effect.raceFirst(initOk, died).pipe(
      Effect.timeoutOption(initTimeoutMs),
      Effect.flatMap((answered) => (answered._tag === "Some" ? Effect.void : timedOut)),
      Effect.ensuring(router.closeClient(clientId))
    )
  })

/** A node across its restarts: its current process, and where it is in its life. */
interface Member {
  readonly process: NodeProcess
  readonly status: NodeStatus
}

/**
 * Starts every node in a directory of its own inside the temp directory
 * (`<workDir>/<node>`: files a node writes there by relative paths are its
 * alone, as on a machine of its own), wires their stdout into the router,
 * watches for crashes, and initializes them all; restarts killed nodes the
 * same way. Closing the scope stops them.
 */
export const startCluster = (options: {
  readonly test: TestOptions
  readonly workDir: string
  readonly logPath: (node: string) => string
}) =>
  Effect.gen(function*() {
    const { test } = options
    const scope = yield* Effect.scope
    const members = new Map<string, Ref.Ref<Member>>()
    const member = (node: string) => members.get(node)!
    const stopping = yield* Ref.make(false)
    const crashes = yield* Ref.make<ReadonlyArray<{ node: NodeProcess; exit: ProcessExit; atMillis: number }>>([])
    const allCrashed = yield* Deferred.make<void>()
    const nodeDirectory = (node: string) => join(options.workDir, node)

    const router = yield* makeRouter({
      nodes: new Map(test.nodeIds.map((node) => [node, (line: string) =>
        Effect.flatMap(Ref.get(member(node)), ({ process, status }) =>
          receivesMessages(status) ? Effect.as(process.send(line), true) : Effect.succeed(false))]
      )),
      latency: maelstromLatency(test.latencyMs, test.latencyDistribution)
    })

    /** An exit of the node's current process is a crash unless the nemesis or the end of the test caused it. */
    const onExit = (process: NodeProcess, exit: ProcessExit) =>
      Effect.gen(function*() {
        const isStopping = yield* Ref.get(stopping)
        const crashed = yield* Ref.modify(member(process.id), (m): [boolean, Member] =>
          m.process === process && exitIsCrash(m.status, isStopping) ? [true, { ...m, status: "crashed" }] : [false, m])
        if (!crashed)
          return
        const atMillis = yield* Clock.currentTimeMillis
        yield* Effect.logError(`node ${process.id} died (code ${exit.code}, signal ${exit.signal}): the run is invalid`)
        const all = yield* Ref.updateAndGet(crashes, (cs) => [...cs, { node: process, exit, atMillis }])
        if (all.length === test.nodeIds.length)
          yield* Deferred.succeed(allCrashed, undefined)
      })

    /**
     * Starts a process for `node` in the cluster's scope and makes it the
     * node's current one, in `status`; then reads its stdout into the router
     * and watches its exit.
     */
    const startProcess = (node: string, status: NodeStatus) =>
      Effect.gen(function*() {
        const workDir = nodeDirectory(node)
        // A wiped data directory is the node's to create again; its working directory is the workbench's.
        yield* Effect.try({
          try: () =>
            mkdirSync(workDir, { recursive: true }),
          catch: (error) => new NodeSpawnError({ node, message: `cannot create ${workDir}: ${String(error)}` })
        })
        const process = yield* startNodeProcess({
          id: node,
          bin: test.bin,
          args: test.binArgs,
          workDir,
          stderrPath: options.logPath(node),
          echoStderr: test.logStderr
        })
        const current: Member = { process, status }
        const existing = members.get(node)
        if (existing === undefined)
          members.set(node, yield* Ref.make(current))
        else yield* Ref.set(existing, current)
        // Every line read so far at each turn: one wake-up for all the lines of a chunk of stdout.
        yield* Queue.takeBetween(process.stdoutLines, 1, Number.POSITIVE_INFINITY).pipe(
          Effect.flatMap((lines) => Effect.forEach(lines, (line) => router.fromNode(node, line), { discard: true })),
          Effect.forever,
          Effect.forkIn(scope)
        )
        yield* Deferred.await(process.exited).pipe(Effect.flatMap((exit) => onExit(process, exit)), Effect.forkIn(scope))
        return process
      }).pipe(Scope.extend(scope))

    const clientCounter = yield* Ref.make(0)
    const freshClientId = Effect.map(Ref.updateAndGet(clientCounter, (n) => n + 1), (n) => `c${n}`)
    const initClients: Array<string> = []
    const firstProcesses: Array<NodeProcess> = []
    for (const node of test.nodeIds) {
      firstProcesses.push(yield* startProcess(node, "running"))
      initClients.push(yield* freshClientId)
    }
    yield* Effect.forEach(firstProcesses, (process, i) =>
      initialize(router, router.fromClient, process, test.nodeIds, initClients[i]!, options.logPath(process.id)), {
      concurrency: "unbounded",
      discard: true
    })

    /** Moves `node` from one status to another; false when it was not in `from`. */
    const transition = (node: string, from: NodeStatus, to: NodeStatus) =>
      Ref.modify(member(node), (m): [boolean, Member] => m.status === from ? [true, { ...m, status: to }] : [false, m])

    /**
     * Ends a running node's process with `end`, the node `meanwhile` until
     * it and its process group are gone, then `killed`; false when it was
     * not running.
     */
    const takeDown = (node: string, meanwhile: "killed" | "stopping", end: (process: NodeProcess) => Effect.Effect<void>) =>
      Effect.gen(function*() {
        if (!(yield* transition(node, "running", meanwhile))) return false
        const { process } = yield* Ref.get(member(node))
        yield* end(process)
        yield* Deferred.await(process.exited)
        yield* process.groupEnded
        yield* transition(node, meanwhile, "killed")
        return true
      })

    const restart = (node: string) =>
      Effect.gen(function*() {
        const process = yield* startProcess(node, "restarting")
        // Straight to its stdin: the network does not route to it before init_ok.
        const send = (envelope: Envelope) => process.send(envelopeLine(envelope))
        yield* initialize(router, send, process, test.nodeIds, yield* freshClientId, options.logPath(node))
        yield* transition(node, "restarting", "running")
      })

    const cluster: Cluster = {
      router,
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
      allCrashed: Deferred.await(allCrashed),
      nodeDirectory,
      runningNodes: Effect.filter(test.nodeIds, (node) => Effect.map(Ref.get(member(node)), (m) => m.status === "running")),
      kill: (node) => takeDown(node, "killed", (process) => process.signal("SIGKILL")),
      stop: (node) => takeDown(node, "stopping", (process) => process.terminate),
      restart,
      pause: (node) =>
        Effect.gen(function*() {
          if (!(yield* transition(node, "running", "paused"))) return false
          yield* Effect.flatMap(Ref.get(member(node)), ({ process }) => process.signal("SIGSTOP"))
          return true
        }),
      resume: (node) =>
        Effect.gen(function*() {
          if (!(yield* transition(node, "paused", "running"))) return
          yield* Effect.flatMap(Ref.get(member(node)), ({ process }) => process.signal("SIGCONT"))
        })
    }
    return cluster
  })
