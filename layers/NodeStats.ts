import { Effect, Layer, Metric } from "effect"

/** fsync calls this process made, on files and directories (NodeDisk counts them). */
export const fsyncs = Metric.counter("fsyncs", { incremental: true })

/** Writes and cas this node applied to its state machine, whoever accepted them (LoggingRaftObserver counts them). */
export const operationsApplied = Metric.counter("operations_applied", { incremental: true })

/** How often the stats line is logged. */
export const statsIntervalMs = 10_000

const count = (counter: typeof fsyncs) => Effect.map(Metric.value(counter), (state) => state.count)

/** One stats line: the interval's counts, and the fsyncs per operation that group commit is judged by. */
const statsLine = (interval: { readonly operations: number; readonly fsyncs: number }, seconds: number) =>
  `stats: last ${seconds} s: ${interval.operations} operations applied, ${interval.fsyncs} fsyncs` +
  (interval.operations > 0 ? ` (${(interval.fsyncs / interval.operations).toFixed(2)} per operation)` : "")

/**
 * Every `statsIntervalMs`, an info line on the log (stderr) with the writes
 * and cas applied and the fsyncs made in the interval.
 */
export const NodeStatsLog = Layer.scopedDiscard(Effect.gen(function*() {
  const counts = Effect.all({ operations: count(operationsApplied), fsyncs: count(fsyncs) })
  let before = yield* counts
  yield* Effect.forkScoped(Effect.forever(Effect.gen(function*() {
    yield* Effect.sleep(statsIntervalMs)
    const now = yield* counts
    yield* Effect.logInfo(
      statsLine({ operations: now.operations - before.operations, fsyncs: now.fsyncs - before.fsyncs }, statsIntervalMs / 1000)
    )
    before = now
  })))
}))
