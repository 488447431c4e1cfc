import { Clock, Effect, Ref } from "effect"
import type { HistoryOp } from "../checker/history.js"

/** Running totals of completions, for the progress line. */
export interface OutcomeCounts {
  readonly invoked: number
  readonly ok: number
  readonly fail: number
  readonly info: number
}

export interface HistoryRecorder {
  /** Appends a line, stamped with its index and the nanoseconds since the run started. */
  readonly record: (line: Omit<HistoryOp, "index" | "time">) => Effect.Effect<HistoryOp>
  readonly lines: Effect.Effect<ReadonlyArray<HistoryOp>>
  readonly counts: Effect.Effect<OutcomeCounts>
}

export const makeHistoryRecorder = (startNanos: bigint): Effect.Effect<HistoryRecorder> =>
  Effect.gen(function*() {
    const lines: Array<HistoryOp> = []
    const counts = yield* Ref.make<OutcomeCounts>({ invoked: 0, ok: 0, fail: 0, info: 0 })
    return {
      record: (line) =>
        Effect.gen(function*() {
          const now = yield* Clock.currentTimeNanos
          const op: HistoryOp = { ...line, index: lines.length, time: Number(now - startNanos) }
          lines.push(op)
          const field = op.type === "invoke" ? "invoked" : op.type
          yield* Ref.update(counts, (c) => ({ ...c, [field]: c[field] + 1 }))
          return op
        }),
      lines: Effect.sync(() => lines.slice()),
      counts: Ref.get(counts)
    }
  })
