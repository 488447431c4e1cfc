import { MalformedHistory } from "../operations.js"
import type { CounterHistoryOp } from "./history.js"

/** One counter operation: an invoke joined with its completion. */
export interface CounterOperation {
  readonly process: number
  readonly f: "add" | "read"
  /** The delta of an add; the value an ok read returned (null for a read that did not complete ok). */
  readonly value: number | null
  /** `ok`, `fail`, or `info` (a missing completion counts as `info`). */
  readonly outcome: "ok" | "fail" | "info"
  /** Index of the invoke line in the history. */
  readonly index: number
  /** Nanoseconds since the start of the run; null for an operation that never completed. */
  readonly completeTime: number | null
  /** Positions in the history array of the invoke and of the completion (null when missing). */
  readonly invokePosition: number
  readonly completePosition: number | null
}

/**
 * Joins every invoke with the completion of the same process, in invoke
 * order; events are ordered by their position in `history`. A process that
 * invokes again while an operation is still open has lost that operation:
 * it counts as indeterminate. A completion with no open invoke, of another
 * function, or an ok read without a value, is malformed.
 */
export const pairCounterOperations = (history: ReadonlyArray<CounterHistoryOp>): ReadonlyArray<CounterOperation> => {
  type Event = { readonly op: CounterHistoryOp; readonly position: number }
  const open = new Map<number, Event>()
  const operations: Array<CounterOperation> = []
  const emit = (invoke: Event, completion: Event | null, outcome: CounterOperation["outcome"]) =>
    operations.push({
      process: invoke.op.process,
      f: invoke.op.f,
      value: invoke.op.f === "add" ? invoke.op.value : outcome === "ok" ? completion!.op.value : null,
      outcome,
      index: invoke.op.index,
      completeTime: completion?.op.time ?? null,
      invokePosition: invoke.position,
      completePosition: completion?.position ?? null
    })
  history.forEach((op, position) => {
    const pending = open.get(op.process)
    if (op.type === "invoke") {
      if (op.f === "add" && op.value === null) {
        throw new MalformedHistory({ message: `history line ${position + 1} (index ${op.index}): an add without a delta` })
      }
      if (pending !== undefined) emit(pending, null, "info")
      open.set(op.process, { op, position })
      return
    }
    if (pending === undefined || pending.op.f !== op.f) {
      throw new MalformedHistory({
        message: `history line ${position + 1} (index ${op.index}): ${op.type} ${op.f} by process ${op.process} with no open ${op.f}`
      })
    }
    if (op.f === "read" && op.type === "ok" && op.value === null) {
      throw new MalformedHistory({ message: `history line ${position + 1} (index ${op.index}): an ok read without a value` })
    }
    open.delete(op.process)
    emit(pending, { op, position }, op.type)
  })
  for (const pending of open.values()) emit(pending, null, "info")
  return operations.sort((x, y) => x.invokePosition - y.invokePosition)
}
