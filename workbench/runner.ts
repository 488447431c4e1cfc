import { FileSystem, Path } from "@effect/platform"
import { Clock, Data, Effect, Fiber, Random, Schema, type Scope } from "effect"
import { HistoryOp } from "../checker/history.js"
import { checkHistory } from "../checker/check.js"
import { clientTimeoutMs, runClientThread } from "../linkv/clientThread.js"
import { maelstromLinKv, makeGenerator } from "../linkv/generator.js"
import { makeHistoryRecorder } from "../linkv/historyRecorder.js"
import { connectClient } from "./client.js"
import { type Cluster, startCluster } from "./cluster.js"
import { ednOperation } from "./historyEdn.js"
import { linePieces } from "./linePieces.js"
import { makeMalformedReplyLog } from "./malformedReplies.js"
import { membershipFault } from "./membershipFault.js"
import { corruptFault } from "./corruptFault.js"
import { type Fault, makeNemesis, type Strike } from "./nemesis.js"
import { partitionFault } from "./partitionFault.js"
import { killFault, pauseFault } from "./processFaults.js"
import { transferFault } from "./transferFault.js"
import { reportProgress } from "./progress.js"
import { problemsOf, type Results } from "./results.js"
import { latencyPlot, ratePlot } from "./plots.js"
import { processNodes } from "./html.js"
import { htmlReport } from "./report.js"
import { completedOperations, computeStats } from "./stats.js"
import { statsProblems } from "./statsRule.js"
import { createRunDirectory, pointLatestAt } from "./store.js"
import { timelinePage } from "./timeline.js"
import { endProblems, type TestEnd } from "./testEnd.js"
import type { TestOptions } from "./testOptions.js"

/** A key whose search takes longer than this is reported `unknown` rather than holding up the verdict. */
const checkBudgetPerKeyMs = 20_000

/** The checker refused the history (invokes and completions that do not pair up: a workbench bug). */
export class HistoryUncheckable extends Data.TaggedError("HistoryUncheckable")<{ readonly message: string }> {}

const encodeHistoryLine = Schema.encodeSync(Schema.parseJson(HistoryOp))

/**
 * The faults of `--nemesis`, each acting on this cluster; a transfer or a
 * membership change is asked for as a client asks, with the client timeout.
 */
const faultsOf = (test: TestOptions, cluster: Cluster, clients: { readonly timeoutMs: number; readonly scope: Scope.Scope }) =>
  Effect.forEach(test.nemesis, (kind): Effect.Effect<Fault | Strike, never, FileSystem.FileSystem | Path.Path> => {
    switch (kind) {
      case "partition":
        return Effect.succeed(partitionFault(cluster.router, test.nodeIds))
      case "kill":
        return Effect.succeed(killFault(cluster, test.killSignal))
      case "pause":
        return Effect.succeed(pauseFault(cluster))
      case "corrupt":
        // The command line refuses corrupt without a data directory; a caller that skipped it fails here.
        return test.dataDirectory === undefined
          ? Effect.dieMessage("--nemesis corrupt without the node's data directory")
          : corruptFault(cluster, { nodeCount: test.nodeIds.length, dataDirectory: test.dataDirectory })
      case "transfer":
        return Effect.succeed(
          transferFault({ router: cluster.router, nodeIds: test.nodeIds, freshClientId: cluster.freshClientId, ...clients })
        )
      case "membership":
        return membershipFault({ router: cluster.router, nodeIds: test.nodeIds, freshClientId: cluster.freshClientId, ...clients })
    }
  })

/** The finished test: where its files are and what was decided. */
export interface TestRun {
  readonly dir: string
  readonly results: Results
}

/**
 * One lin-kv test: nodes up and initialized, clients and nemesis for the time
 * limit, final heal while the last operations finish, nodes stopped; then the
 * history is checked and every result file written.
 */
export const runTest = (test: TestOptions, stopRequested: Effect.Effect<string>) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const startMillis = yield* Clock.currentTimeMillis
    const dir = yield* createRunDirectory(test.storeDir, test.workload, startMillis)
    const logPath = (node: string) => path.join(dir, "node-logs", `${node}.log`)
    const timeoutMs = clientTimeoutMs(test.latencyMs)
    yield* Effect.logInfo(`test in ${dir}`)

    const malformedLog = yield* makeMalformedReplyLog
    const { recorder, crashes, counters, faults, clientPhaseSeconds, end } = yield* Effect.scoped(
      Effect.gen(function*() {
        const scope = yield* Effect.scope
        const workDir = yield* fs.makeTempDirectoryScoped({ prefix: "maelstrom-workbench-" })
        const cluster = yield* startCluster({ test, workDir, logPath })
        // Time zero of the history, the plots and the fault windows: nodes are up, clients begin.
        const clientStartMillis = yield* Clock.currentTimeMillis
        const recorder = yield* makeHistoryRecorder(yield* Clock.currentTimeNanos)
        const deadlineMillis = clientStartMillis + test.timeLimitSeconds * 1000
        const nemesis = yield* makeNemesis({
          faults: yield* faultsOf(test, cluster, { timeoutMs, scope }),
          intervalMs: test.nemesisIntervalSeconds * 1000,
          startMillis: clientStartMillis,
          seed: test.seed
        })
        const generator = yield* makeGenerator({
          ...maelstromLinKv(test.nodeIds.length),
          concurrency: test.concurrency,
          rate: test.rate,
          valueBytes: test.valueBytes
        })
        const progress = yield* Effect.forkScoped(
          reportProgress({
            startMillis: clientStartMillis,
            timeLimitSeconds: test.timeLimitSeconds,
            counts: recorder.counts,
            nemesisState: nemesis.state
          })
        )
        const nemesisFiber = yield* Effect.forkScoped(nemesis.run)
        const clients = yield* Effect.forkScoped(
          Effect.forEach(
            Array.from({ length: test.concurrency }, (_, thread) => thread),
            (thread) =>
              runClientThread({
                generator,
                recorder,
                concurrency: test.concurrency,
                timeoutMs,
                untilMillis: deadlineMillis,
                connect: connectClient(cluster.router, test.nodeIds, cluster.freshClientId, malformedLog, scope)
              }, thread),
            { concurrency: "unbounded", discard: true }
          )
        )
        const elapsedMs = Effect.map(Clock.currentTimeMillis, (now) => now - clientStartMillis)
        const end: TestEnd = yield* Effect.raceAll<Effect.Effect<TestEnd>>([
          Effect.zipRight(Effect.sleep(test.timeLimitSeconds * 1000),
            Effect.map(elapsedMs, (atMs) => ({ reason: "time limit", atMs }) as const)),
          Effect.zipRight(cluster.allCrashed, Effect.map(elapsedMs, (atMs) => ({ reason: "no node left", atMs }) as const)),
          Effect.flatMap(stopRequested, (signal) => Effect.map(elapsedMs, (atMs) => ({ reason: "interrupted", signal, atMs }) as const))
        ])
        // Every fault ends before the nodes are judged: partitions healed, paused nodes continued, killed ones restarted.
        yield* nemesis.healAll
        yield* Fiber.interrupt(nemesisFiber)
        if (end.reason === "time limit") {
          // Operations still in flight finish (or time out) on a healed cluster.
          yield* Effect.logInfo("time limit reached: faults healed, waiting for operations in flight")
          yield* Fiber.join(clients)
        } else {
          // Nothing will answer them (or the user wants out): operations in flight stay unfinished.
          yield* Fiber.interrupt(clients)
        }
        yield* Fiber.interrupt(progress)
        const clientPhaseSeconds = ((yield* Clock.currentTimeMillis) - clientStartMillis) / 1000
        yield* cluster.markStopping
        return {
          end,
          recorder,
          crashes: yield* cluster.crashesSince(clientStartMillis),
          counters: yield* cluster.router.counters,
          faults: yield* nemesis.windows,
          clientPhaseSeconds
        }
      })
    )

    const history = yield* recorder.lines
    const writeLines = (file: string, line: (op: HistoryOp) => string) =>
      Effect.gen(function*() {
        yield* fs.writeFileString(file, "")
        for (const piece of linePieces(history, line)) yield* fs.writeFileString(file, piece, { flag: "a" })
      })
    yield* writeLines(path.join(dir, "history.jsonl"), encodeHistoryLine)
    yield* writeLines(path.join(dir, "history.edn"), ednOperation)
    yield* Effect.logInfo(`checking ${history.length} history lines`)
    const linearizability = yield* Effect.try({
      try: () => checkHistory(history, { timeLimitMs: checkBudgetPerKeyMs }),
      catch: (error) => new HistoryUncheckable({ message: String(error) })
    })
    const stats = computeStats(history, counters, clientPhaseSeconds)
    const problems = [
      ...endProblems(end),
      ...problemsOf(linearizability, crashes, faults, counters.stdoutCutOff),
      ...statsProblems(stats, test.availability)
    ]
    const results: Results = {
      workload: test.workload,
      valid: linearizability.verdict === "valid" && problems.length === 0,
      problems,
      test: {
        bin: test.bin,
        binArgs: test.binArgs,
        nodes: test.nodeIds,
        concurrency: test.concurrency,
        rate: test.rate,
        timeLimitSeconds: test.timeLimitSeconds,
        latencyMs: test.latencyMs,
        latencyDistribution: test.latencyDistribution,
        nemesis: test.nemesis,
        nemesisIntervalSeconds: test.nemesisIntervalSeconds,
        availability: test.availability ?? null,
        valueBytes: test.valueBytes ?? null,
        clientTimeoutMs: timeoutMs,
        seed: test.seed,
        startedAt: new Date(startMillis).toISOString()
      },
      end,
      linearizability,
      stats,
      network: counters,
      malformedReplies: yield* malformedLog.replies,
      faults,
      crashes
    }
    yield* fs.writeFileString(path.join(dir, "results.json"), `${JSON.stringify(results, null, 2)}\n`)
    const completed = completedOperations(history)
    const plots = {
      latency: latencyPlot(completed, faults, clientPhaseSeconds),
      rate: ratePlot(completed, faults, clientPhaseSeconds)
    }
    yield* fs.writeFileString(path.join(dir, "latency.svg"), plots.latency)
    yield* fs.writeFileString(path.join(dir, "rate.svg"), plots.rate)
    yield* fs.writeFileString(path.join(dir, "report.html"), htmlReport(results, plots, processNodes(history)))
    yield* fs.writeFileString(path.join(dir, "timeline.html"), timelinePage(history, results))
    yield* pointLatestAt(test.storeDir, dir)
    return { dir, results } satisfies TestRun
  }).pipe(Effect.withRandom(Random.make(test.seed)))
