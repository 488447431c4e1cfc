import { Cause, Deferred, Effect, Exit } from "effect"
import { checkHistory } from "../checker/check.js"
import type { HistoryOp } from "../checker/history.js"
import { defaultRaftConfig } from "../services/RaftConfig.js"
import { makeHistoryRecorder } from "../linkv/historyRecorder.js"
import { livenessBoundMs, runLivenessPhase } from "./livenessPhase.js"
import { runNemesis } from "./nemesis.js"
import { runSimulation } from "./runSimulation.js"
import { makeSimCluster } from "./SimCluster.js"
import type { Scenario } from "./scenario.js"
import { runSimulatedClients } from "./simulatedClients.js"
import type { Trace } from "./Trace.js"
import type { Violation } from "./Violation.js"

export interface SeedResult {
  readonly seed: number
  /** The first broken invariant (linearizability included), if any. */
  readonly violation: Violation | null
  readonly operations: { readonly ok: number; readonly fail: number; readonly info: number }
  /** How long the whole cluster took to pass the liveness phase, when it did. */
  readonly recoveredInMs: number | null
  /** The time the liveness phase allowed (see `livenessBoundMs`). */
  readonly livenessBoundMs: number
  readonly simulatedMs: number
  /** The clients' history, as the workbench writes it to history.jsonl. */
  readonly history: ReadonlyArray<HistoryOp>
}

/** The checker's own budget per key: searches that big do not happen with a few hundred operations. */
const checkerBudget = { maxConfigurations: 2_000_000, stopAtFirstInvalid: true, timeLimitMs: 60_000 }

/**
 * One seed: a cluster with clients and a nemesis on simulated time, every
 * invariant checked as the run goes (the run stops at the first violation);
 * once the faults end, the liveness phase (sim/livenessPhase.ts); then the
 * client history checked for linearizability. Every event goes
 * into `trace` when one is given (a run without one is faster, and replays
 * the same way).
 */
export const runSeed = (seed: number, scenario: Scenario, trace?: Trace): SeedResult => {
  const nodeIds = Array.from({ length: scenario.nodes }, (_, i) => `n${i + 1}`)
  const config = { ...defaultRaftConfig, ...scenario.config }
  const boundMs = livenessBoundMs(config, scenario.clientTimeoutMs)
  let history: ReadonlyArray<HistoryOp> = []
  let recoveredInMs: number | null = null

  const program = Effect.gen(function*() {
    const stop = yield* Deferred.make<void>()
    const cluster = yield* makeSimCluster({
      nodeIds,
      network: { latency: scenario.latency },
      config,
      ...(scenario.broken === undefined ? {} : { broken: scenario.broken }),
      ...(trace === undefined ? {} : { trace }),
      onViolation: () => Deferred.unsafeDone(stop, Exit.void)
    })
    const recorder = yield* makeHistoryRecorder(0n)
    const workload = Effect.all([
      runNemesis(cluster, {
        faults: scenario.faults,
        minIntervalMs: scenario.faultIntervalMs.min,
        maxIntervalMs: scenario.faultIntervalMs.max,
        untilMs: scenario.workloadMs,
        leaderCutHoldMs: 2 * config.electionTimeoutMaxMs,
        churnReignMaxMs: config.electionTimeoutMinMs
      }),
      runSimulatedClients(cluster, recorder, {
        clients: scenario.clients,
        rate: scenario.rate,
        mix: scenario.mix,
        timeoutMs: scenario.clientTimeoutMs,
        untilMs: scenario.workloadMs
      })
    ], { concurrency: "unbounded", discard: true })
    const liveness = Effect.flatMap(recorder.lines, (lines) =>
      runLivenessPhase(cluster, recorder, {
        boundMs,
        clientTimeoutMs: scenario.clientTimeoutMs,
        key: Math.max(-1, ...lines.map((op) => op.key as number)) + 1,
        firstProcess: Math.max(-1, ...lines.map((op) => op.process)) + 1
      }))
    const result = yield* Effect.raceFirst(
      Effect.zipRight(workload, liveness),
      Effect.as(Deferred.await(stop), null)
    )
    history = yield* recorder.lines
    const safety = cluster.violations[0]
    if (safety !== undefined) return safety
    if (result?._tag === "Violated") return result.violation
    recoveredInMs = result?.afterMs ?? null
    return null
  }).pipe(Effect.scoped)

  const end = runSimulation(program, { seed, timeLimitMs: scenario.workloadMs + boundMs + 60_000 })
  let violation: Violation | null
  switch (end._tag) {
    case "Completed":
      violation = Exit.isSuccess(end.exit)
        ? end.exit.value
        : { atMs: end.atMs, invariant: "simulation failed", detail: firstLines(Cause.pretty(end.exit.cause)) }
      break
    case "Livelock":
      violation = { atMs: end.atMs, invariant: "liveness", detail: "fibers kept running without simulated time moving (a busy loop)" }
      break
    case "TimeLimit":
      violation = { atMs: end.atMs, invariant: "simulation failed", detail: "the run did not end within its time limit" }
      break
  }
  if (violation === null) violation = linearizabilityViolation(history)
  if (violation !== null) trace?.record(violation.atMs, `FAILED ${violation.invariant}: ${violation.detail}`)

  const completions = history.filter((op) => op.type !== "invoke")
  return {
    seed,
    violation,
    operations: {
      ok: completions.filter((op) => op.type === "ok").length,
      fail: completions.filter((op) => op.type === "fail").length,
      info: completions.filter((op) => op.type === "info").length
    },
    recoveredInMs,
    livenessBoundMs: boundMs,
    simulatedMs: end.atMs,
    history
  }
}

/** The error and where it was thrown, on one line. */
const firstLines = (text: string) => text.split("\n").slice(0, 2).map((line) => line.trim()).join(" ")

const linearizabilityViolation = (history: ReadonlyArray<HistoryOp>): Violation | null => {
  const result = checkHistory(history, checkerBudget)
  if (result.verdict === "valid") return null
  const key = result.keys.find((k) => k.verdict !== "valid")!
  const explanation = key.explanation
  const failedAtNs = explanation?.failedOperation.completeTime ?? explanation?.failedOperation.invokeTime ?? 0
  return {
    atMs: Math.round(failedAtNs / 1e6),
    invariant: "linearizability",
    detail: result.verdict === "invalid"
      ? `key ${JSON.stringify(key.key)}: ${explanation?.summary ?? "not linearizable"}`
      : `key ${JSON.stringify(key.key)}: the checker could not decide (${key.reason ?? "budget"})`
  }
}
