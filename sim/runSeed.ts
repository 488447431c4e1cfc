import { Cause, Deferred, Effect, Exit, Random } from "effect"
import type { RecordedOp } from "../linkv/historyRecorder.js"
import { defaultRaftConfig } from "../services/RaftConfig.js"
import { linKvSimApplication } from "./linKvApplication.js"
import { livenessBoundMs, runLivenessPhase } from "./livenessPhase.js"
import { runNemesis } from "./nemesis.js"
import { runSimulation } from "./runSimulation.js"
import type { RecordedHistory } from "./SimApplication.js"
import { makeSimCluster } from "./SimCluster.js"
import type { Scenario } from "./scenario.js"
import type { Trace } from "./Trace.js"
import type { Violation } from "./Violation.js"
import { clockDriftBound } from "../src/raft/leaseRules.js"
import type { NodeId } from "../src/protocol/envelope.js"

/**
 * Each node's clock rate, with "drift": drawn uniformly within the bound
 * the lease assumes (src/raft/leaseRules.ts), from the run's Random; 1 for
 * every node with "pause" alone; none (every node on the simulation's own
 * clock, as before either fault existed) without either.
 */
const drawClockRates = (scenario: Scenario, nodeIds: ReadonlyArray<NodeId>) =>
  Effect.gen(function*() {
    if (!scenario.faults.has("drift")) {
      return scenario.faults.has("pause") ? new Map(nodeIds.map((id) => [id, 1] as const)) : undefined
    }
    const rates = new Map<NodeId, number>()
    for (const id of nodeIds) rates.set(id, 1 + clockDriftBound * (2 * (yield* Random.next) - 1))
    return rates
  })

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
  /** The clients' history (for lin-kv, as the workbench writes it to history.jsonl). */
  readonly history: ReadonlyArray<RecordedOp>
}

/**
 * One seed: a cluster running the scenario's application (lin-kv unless
 * given) with its clients and a nemesis on simulated time, every
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
  const application = scenario.application ?? linKvSimApplication
  let recorded: RecordedHistory = { operations: [], linearizability: () => null }
  let recoveredInMs: number | null = null

  const program = Effect.gen(function*() {
    const stop = yield* Deferred.make<void>()
    const clockRates = yield* drawClockRates(scenario, nodeIds)
    const cluster = yield* makeSimCluster({
      ...(clockRates === undefined ? {} : { clockRates }),
      nodeIds,
      network: { latency: scenario.latency },
      config,
      application,
      ...(scenario.broken === undefined ? {} : { broken: scenario.broken }),
      ...(trace === undefined ? {} : { trace }),
      onViolation: () => Deferred.unsafeDone(stop, Exit.void)
    })
    if (scenario.faults.has("drift")) {
      cluster.note(`clock rates: ${[...clockRates!].map(([id, rate]) => `${id} ${rate.toFixed(4)}`).join(", ")}`)
    }
    const workload = yield* application.workload(cluster)
    const clientsAndFaults = Effect.all([
      runNemesis(cluster, {
        requestTimeoutMs: config.requestTimeoutMs,
        faults: scenario.faults,
        minIntervalMs: scenario.faultIntervalMs.min,
        maxIntervalMs: scenario.faultIntervalMs.max,
        untilMs: scenario.workloadMs,
        leaderCutHoldMs: 2 * config.electionTimeoutMaxMs,
        churnReignMaxMs: config.electionTimeoutMinMs,
        electionTimeoutMinMs: config.electionTimeoutMinMs,
        electionTimeoutMaxMs: config.electionTimeoutMaxMs,
        ...(scenario.faultWeights === undefined ? {} : { weights: scenario.faultWeights })
      }),
      workload.runClients({
        clients: scenario.clients,
        rate: scenario.rate,
        mix: scenario.mix,
        timeoutMs: scenario.clientTimeoutMs,
        untilMs: scenario.workloadMs
      })
    ], { concurrency: "unbounded", discard: true })
    const liveness = Effect.flatMap(Effect.zip(workload.recorded, workload.livenessProbes),
      ([{ operations }, probesThrough]) =>
        runLivenessPhase(cluster, {
          boundMs,
          clientTimeoutMs: scenario.clientTimeoutMs,
          firstProcess: Math.max(-1, ...operations.map((op) => op.process)) + 1,
          probesThrough
        }))
    const result = yield* Effect.raceFirst(
      Effect.zipRight(clientsAndFaults, liveness),
      Effect.as(Deferred.await(stop), null)
    )
    recorded = yield* workload.recorded
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
  if (violation === null) violation = recorded.linearizability()
  if (violation !== null) trace?.record(violation.atMs, `FAILED ${violation.invariant}: ${violation.detail}`)

  const history = recorded.operations
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
