import { Clock, Effect, Ref } from "effect"
import type { HistoryOp } from "../checker/history.js"

/** Running totals of completions, for the progress line. */
export interface OutcomeCounts {
  readonly invoked: number
  readonly ok: number
  readonly fail: number
  readonly info: number
}

/** What the recorder stamps and counts of a history line, whatever the workload's operations are. */
export interface RecordedOp {
  readonly index: number
  /** Nanoseconds since the start of the run. */
  readonly time: number
  readonly process: number
  readonly type: "invoke" | "ok" | "fail" | "info"
}

/** Records a history of lin-kv operations, or of another workload's (`Op`). */
export interface HistoryRecorder<Op extends RecordedOp = HistoryOp> {
  /** Appends a line, stamped with its index and the nanoseconds since the run started. */
  readonly record: (line: Omit<Op, "index" | "time">) => Effect.Effect<Op>
  readonly lines: Effect.Effect<ReadonlyArray<Op>>
  readonly counts: Effect.Effect<OutcomeCounts>
}

export const makeHistoryRecorder = <Op extends RecordedOp = HistoryOp>(startNanos: bigint): Effect.Effect<HistoryRecorder<Op>> =>
  Effect.gen(function*() {
    const lines: Array<Op> = []
    const counts = yield* Ref.make<OutcomeCounts>({ invoked: 0, ok: 0, fail: 0, info: 0 })
    return {
      record: (line) =>
        Effect.gen(function*() {
          const now = yield* Clock.currentTimeNanos
          const op = { ...line, index: lines.length, time: Number(now - startNanos) } as Op
          lines.push(op)
          const field = op.type === "invoke" ? "invoked" : op.type
          yield* Ref.update(counts, (c) => ({ ...c, [field]: c[field] + 1 }))
          return op
        }),
      lines: Effect.sync(() => lines.slice()),
      counts: Ref.get(counts)
    }
  })
