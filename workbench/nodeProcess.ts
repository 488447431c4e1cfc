import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process"
import { createWriteStream, type WriteStream } from "node:fs"
import { createInterface } from "node:readline"
import { Data, Deferred, Effect, Exit, Option, Queue, Schedule, type Scope } from "effect"

/** How a node process ended. */
export interface ProcessExit {
  readonly code: number | null
  readonly signal: string | null
}

/** The node binary could not be started at all. */
export class NodeSpawnError extends Data.TaggedError("NodeSpawnError")<{
  readonly node: string
  readonly message: string
}> {}

/** One running node binary: its stdin, its stdout lines, and its end. */
export interface NodeProcess {
  readonly id: string
  readonly pid: number
  /** Writes one line to the node's stdin (ignored once the process is gone). */
  readonly send: (line: string) => Effect.Effect<void>
  /**
   * Sends a signal to the node's process group: the node and whatever it
   * started, so that the node behind a wrapper script is killed or paused
   * with the script. Ignored once the group is gone.
   */
  readonly signal: (signal: "SIGKILL" | "SIGSTOP" | "SIGCONT") => Effect.Effect<void>
  /**
   * A graceful stop: TERM to the node's process group, then KILL if the node
   * has not exited within the grace period; returns once it has exited.
   */
  readonly terminate: Effect.Effect<void>
  /**
   * Waits until no process of the node's group is left (at most a second):
   * after a SIGKILL, a node behind a wrapper script that does not exec dies
   * a moment after the script, and may still hold its files until then.
   */
  readonly groupEnded: Effect.Effect<void>
  readonly stdoutLines: Queue.Dequeue<string>
  readonly exited: Deferred.Deferred<ProcessExit>
  /** The last lines of the node's stderr, once it has closed (or after a grace period, if it stays open). */
  readonly stderrTail: Effect.Effect<ReadonlyArray<string>>
}

export interface NodeProcessConfig {
  readonly id: string
  readonly bin: string
  readonly args: ReadonlyArray<string>
  /** Like Maelstrom, nodes run in a temp directory, never the repo. */
  readonly workDir: string
  /** Where the node's stderr is saved; a restarted node's is appended to it. */
  readonly stderrPath: string
  /** Also copy the node's stderr to ours, each line prefixed with the node id. */
  readonly echoStderr: boolean
}

/** Grace period between TERM and KILL when a node is stopped gracefully (at the end of the test, or by the kill nemesis). */
const stopGraceMillis = 2_000

/** How many of its last stderr lines are kept to show why a node died, and how much of each. */
const stderrTailLines = 20
const stderrTailLineChars = 300

/** How long to wait for a dead node's stderr to close: a child of the node may hold it open. */
const stderrCloseMillis = 1_000

/** Signals the process group a node was started in (its own: it is spawned detached). */
const signalGroup = (child: ChildProcessWithoutNullStreams, signal: NodeJS.Signals) => {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, signal)
  } catch {
    // ESRCH: the whole group has exited already.
  }
}

/** How long `groupEnded` waits, and how often it looks: a process that is never reaped (a zombie) keeps its group. */
const groupEndMillis = 1_000
const groupPollMillis = 10

/** Whether any process of the group is left (signal 0 only checks). */
const groupAlive = (pid: number): boolean => {
  try {
    process.kill(-pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

const waitForExit = (exited: Deferred.Deferred<ProcessExit>) =>
  Deferred.await(exited).pipe(Effect.timeoutOption(stopGraceMillis), Effect.map(Option.isSome))

/** TERM, then KILL if the node has not exited within the grace period. */
const terminate = (child: ChildProcessWithoutNullStreams, exited: Deferred.Deferred<ProcessExit>) =>
  Effect.gen(function*() {
    if (Option.isSome(yield* Deferred.poll(exited))) return
    signalGroup(child, "SIGTERM")
    if (yield* waitForExit(exited)) return
    signalGroup(child, "SIGKILL")
    yield* waitForExit(exited)
  })

/** The saved stderr is complete: the pipe ends it when the process's stderr closes. */
const flushed = (file: WriteStream) =>
  Effect.async<void>((resume) => {
    if (file.writableFinished) return resume(Effect.void)
    file.once("finish", () => resume(Effect.void))
  }).pipe(
    Effect.timeoutOption(stopGraceMillis),
    Effect.zipRight(Effect.sync(() => void file.end()))
  )

/**
 * Starts a node in the scope; closing the scope stops it with TERM, then KILL
 * if it has not exited within the grace period, and then kills whatever else
 * is left in its process group.
 */
export const startNodeProcess = (
  config: NodeProcessConfig
): Effect.Effect<NodeProcess, NodeSpawnError, Scope.Scope> =>
  Effect.gen(function*() {
    const stdoutLines = yield* Queue.unbounded<string>()
    const exited = yield* Deferred.make<ProcessExit>()
    // Opened before the process starts so that it is closed only after the process stopped.
    const stderrFile = createWriteStream(config.stderrPath, { flags: "a" })
    stderrFile.on("error", () => {})
    yield* Effect.addFinalizer(() => flushed(stderrFile))
    const child = yield* Effect.acquireRelease(
      Effect.async<ChildProcessWithoutNullStreams, NodeSpawnError>((resume) => {
        // In its own process group, so that a Ctrl-C at the terminal reaches the
        // workbench, which stops the test, and not the nodes, which would die mid-test.
        const child = spawn(config.bin, [...config.args], { cwd: config.workDir, stdio: "pipe", detached: true })
        child.once("spawn", () => resume(Effect.succeed(child)))
        child.once("error",
          (error) => resume(Effect.fail(new NodeSpawnError({ node: config.id, message: `cannot start ${config.bin}: ${error.message}` }))))
      }),
      (child) =>
        Effect.gen(function*() {
          // The whole process group, not only the process started: a node behind a
          // wrapper script that does not exec, or anything the node started, must not
          // outlive the test.
          yield* terminate(child, exited)
          signalGroup(child, "SIGKILL")
        })
    )
    // A node that exits while we write must not crash the workbench (EPIPE).
    child.stdin.on("error", () => {})
    child.on("exit", (code, signal) => Deferred.unsafeDone(exited, Exit.succeed({ code, signal })))

    createInterface({ input: child.stdout }).on("line", (line) => Queue.unsafeOffer(stdoutLines, line))

    child.stderr.pipe(stderrFile)
    const tail: Array<string> = []
    const stderrClosed = yield* Deferred.make<void>()
    const stderrLines = createInterface({ input: child.stderr })
    stderrLines.on("line", (line) => {
      tail.push(line.slice(0, stderrTailLineChars))
      if (tail.length > stderrTailLines) tail.shift()
      if (config.echoStderr) process.stderr.write(`${config.id}: ${line}\n`)
    })
    stderrLines.on("close", () => Deferred.unsafeDone(stderrClosed, Exit.void))

    return {
      id: config.id,
      pid: child.pid ?? -1,
      send: (line) =>
        Effect.sync(() => {
          if (child.exitCode === null && child.signalCode === null && child.stdin.writable) {
            // Lines sent in one turn of the event loop leave in one write: a
            // write per line cost the workbench more CPU than anything else.
            if (!child.stdin.writableCorked) {
              child.stdin.cork()
              process.nextTick(() => child.stdin.uncork())
            }
            child.stdin.write(`${line}\n`)
          }
        }),
      signal: (signal) => Effect.sync(() => signalGroup(child, signal)),
      terminate: terminate(child, exited),
      groupEnded: child.pid === undefined ? Effect.void : Effect.sync(() => groupAlive(child.pid!)).pipe(
        Effect.repeat({ while: (alive) => alive, schedule: Schedule.spaced(groupPollMillis) }),
        Effect.timeoutOption(groupEndMillis),
        Effect.asVoid
      ),
      stdoutLines,
      exited,
      stderrTail: Deferred.await(stderrClosed).pipe(
        Effect.timeoutOption(stderrCloseMillis),
        Effect.map(() => tail.slice())
      )
    }
  })
