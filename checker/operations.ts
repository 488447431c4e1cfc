import { Data } from "effect"
import { canonicalJson, type Json } from "../foundation/json.js"
import type { HistoryOp } from "./history.js"
import type { OperationSummary } from "./result.js"

/** A history that cannot be read as a sequence of client operations. */
export class MalformedHistory extends Data.TaggedError("MalformedHistory")<{
  readonly message: string
}> {}

/** One client operation: an invoke joined with its completion. */
export interface Operation extends OperationSummary {
  readonly key: Json
  /** Position of the invoke in the history array; positions order all events. */
  readonly invokePosition: number
  /** Position of the completion, or null when it is missing. */
  readonly completePosition: number | null
}

/** The operations of one key, in invoke order. */
export interface KeyOperations {
  readonly key: Json
  readonly operations: ReadonlyArray<Operation>
}

interface Pending {
  readonly op: HistoryOp
  readonly position: number
}

/**
 * Joins every invoke with the completion of the same process and groups the
 * operations by key (keys in order of first appearance). Events are ordered by
 * their position in `history`, not by `time`.
 *
 * A process that invokes again while an operation is still open is taken to
 * have lost that operation: it counts as indeterminate (`info`), the weakest
 * assumption. A completion with no open invoke, or of another function or
 * key, is malformed.
 */
export const groupOperations = (history: ReadonlyArray<HistoryOp>): ReadonlyArray<KeyOperations> => {
  const pending = new Map<number, Pending>()
  const byKey = new Map<string, { key: Json; operations: Array<Operation> }>()

  const emit = (invoke: Pending, completion: { op: HistoryOp; position: number } | null, outcome: Operation["outcome"]) => {
    const op = invoke.op
    const value = op.f === "read" ? (outcome === "ok" && completion !== null ? completion.op.value : null) : op.value
    const operation: Operation = {
      process: op.process,
      f: op.f,
      value,
      outcome,
      invokeTime: op.time,
      completeTime: completion === null ? null : completion.op.time,
      index: op.index,
      key: op.key,
      invokePosition: invoke.position,
      completePosition: completion === null ? null : completion.position
    }
    const k = canonicalJson(op.key)
    let group = byKey.get(k)
    if (group === undefined) {
      group = { key: op.key, operations: [] }
      byKey.set(k, group)
    }
    group.operations.push(operation)
  }

  history.forEach((op, position) => {
    const open = pending.get(op.process)
    if (op.type === "invoke") {
      if (open !== undefined) emit(open, null, "info")
      pending.set(op.process, { op, position })
      return
    }
    if (open === undefined) {
      throw new MalformedHistory({
        message: `history line ${position + 1} (index ${op.index}): ${op.type} ${op.f} by process ${op.process} with no open invoke`
      })
    }
    if (open.op.f !== op.f || canonicalJson(open.op.key) !== canonicalJson(op.key)) {
      throw new MalformedHistory({
        message: `history line ${position + 1} (index ${op.index}): ${op.type} ${op.f} on key ${canonicalJson(op.key)} completes ` +
          `process ${op.process}'s ${open.op.f} on key ${canonicalJson(open.op.key)}`
      })
    }
    pending.delete(op.process)
    emit(open, { op, position }, op.type)
  })
  for (const open of pending.values()) emit(open, null, "info")

  return Array.from(byKey.values(), (group) => ({
    key: group.key,
    operations: group.operations.sort((x, y) => x.invokePosition - y.invokePosition)
  }))
}
