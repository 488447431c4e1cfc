import type { HistoryOp } from "../checker/history.js"
import type { RouterCounters } from "./router.js"

/** One completed operation, as plotted: when it started, how long it took, how it ended. */
export interface CompletedOperation {
  readonly f: HistoryOp["f"]
  readonly type: "ok" | "fail" | "info"
  readonly startMs: number
  readonly latencyMs: number
}

export interface LatencyQuantiles {
  readonly p50: number
  readonly p90: number
  readonly p99: number
  readonly max: number
}

export interface Stats {
  readonly operations: number
  readonly ok: number
  readonly fail: number
  readonly info: number
  /** Invokes that never completed (the run ended first); they count as info for the checker. */
  readonly unfinished: number
  readonly byFunction: Readonly<Record<HistoryOp["f"], { ok: number; fail: number; info: number }>>
  /** Completed and successful operations per second over the client phase. */
  readonly throughput: { readonly completedPerSecond: number; readonly okPerSecond: number }
  /** Latency of ok operations, in milliseconds. */
  readonly latencyMs: LatencyQuantiles | null
  /** `serverToServer`: between nodes and services, no client at either end (Maelstrom's "servers"). */
  readonly messagesPerOperation: { readonly total: number; readonly serverToServer: number }
  /** Fraction of invoked operations that completed ok. */
  readonly availability: number
}

const nanosToMs = (nanos: number) => nanos / 1e6

/** Joins each completion with the invoke of the same process (a process has one operation open at a time). */
export const completedOperations = (history: ReadonlyArray<HistoryOp>): ReadonlyArray<CompletedOperation> => {
  const open = new Map<number, HistoryOp>()
  const completed: Array<CompletedOperation> = []
  for (const line of history) {
    if (line.type === "invoke") {
      open.set(line.process, line)
      continue
    }
    const invoke = open.get(line.process)
    if (invoke === undefined) continue
    open.delete(line.process)
    completed.push({
      f: line.f,
      type: line.type,
      startMs: nanosToMs(invoke.time),
      latencyMs: nanosToMs(line.time - invoke.time)
    })
  }
  return completed
}

export const quantile = (sorted: ReadonlyArray<number>, q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!

const round = (x: number) => Math.round(x * 100) / 100

export const computeStats = (
  history: ReadonlyArray<HistoryOp>,
  counters: RouterCounters,
  clientPhaseSeconds: number
): Stats => {
  const completed = completedOperations(history)
  const invoked = history.filter((line) => line.type === "invoke").length
  const countOf = (type: CompletedOperation["type"], f?: HistoryOp["f"]) =>
    completed.filter((op) => op.type === type && (f === undefined || op.f === f)).length
  const byFunction = Object.fromEntries(
    (["read", "write", "cas"] as const).map((f) => [f, { ok: countOf("ok", f), fail: countOf("fail", f), info: countOf("info", f) }])
  ) as Stats["byFunction"]
  const okLatencies = completed.filter((op) => op.type === "ok").map((op) => op.latencyMs).sort((a, b) => a - b)
  const ok = countOf("ok")
  const perOp = (messages: number) => (invoked === 0 ? 0 : round(messages / invoked))
  return {
    operations: invoked,
    ok,
    fail: countOf("fail"),
    info: countOf("info"),
    unfinished: invoked - completed.length,
    byFunction,
    throughput: {
      completedPerSecond: round(completed.length / clientPhaseSeconds),
      okPerSecond: round(ok / clientPhaseSeconds)
    },
    latencyMs: okLatencies.length === 0
      ? null
      : {
        p50: round(quantile(okLatencies, 0.5)),
        p90: round(quantile(okLatencies, 0.9)),
        p99: round(quantile(okLatencies, 0.99)),
        max: round(okLatencies[okLatencies.length - 1]!)
      },
    messagesPerOperation: {
      total: perOp(counters.nodeToNode + counters.clientToNode + counters.nodeToClient + counters.toServices + counters.fromServices),
      serverToServer: perOp(counters.nodeToNode + counters.toServices + counters.fromServices)
    },
    availability: invoked === 0 ? 0 : round((ok / invoked) * 1e4) / 1e4
  }
}
