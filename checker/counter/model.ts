import { Either } from "effect"
import { ILLEGAL, NEVER, type SearchModel, type SearchProblem } from "../searchModel.js"
import type { CounterOperation } from "./operations.js"

/** A read of the counter: legal only in the state it returned (`a`). */
export const READ = 0
/** An add of `a`. */
export const ADD = 1

/** The largest state the search can carry (see SearchModel). */
const maxState = 2 ** 30 - 1

/**
 * The counter as the search sees it. States are values shifted up by
 * `offset` (the sum of every negative delta), so that no reachable value is
 * below 0. Adds commute, so nothing overwrites the state.
 */
const counterModel = (offset: number): SearchModel => ({
  initial: offset,
  step: (state, kind, a) => (kind === ADD ? state + a : state === a ? state : ILLEGAL),
  preservesState: (kind, a) => kind === READ || a === 0,
  overwrites: () => false
})

/**
 * The counter's operations, reduced to what constrains it, in invoke order:
 * failed adds and reads that did not complete ok are dropped (they changed
 * nothing).
 */
export interface CounterProblem extends SearchProblem {
  readonly operations: ReadonlyArray<CounterOperation>
  /** State = value + offset. */
  readonly offset: number
}

/** The problem, or why the search cannot carry it (deltas too large for its states). */
export const encodeCounter = (operations: ReadonlyArray<CounterOperation>): Either.Either<CounterProblem, string> => {
  const kept = operations.filter((op) => op.f === "add" ? op.outcome !== "fail" : op.outcome === "ok")
  let offset = 0
  let rise = 0
  for (const op of kept) {
    if (op.f === "add") {
      if (op.value! < 0) offset -= op.value!
      else rise += op.value!
    }
  }
  if (offset + rise > maxState) {
    return Either.left(`the adds span ${offset + rise}, more than the ${maxState} the search's states hold`)
  }
  const n = kept.length
  const kind = new Int8Array(n)
  const a = new Int32Array(n)
  const call = new Int32Array(n)
  const ret = new Int32Array(n)
  kept.forEach((op, i) => {
    call[i] = op.invokePosition
    ret[i] = op.outcome === "ok" ? op.completePosition! : NEVER
    kind[i] = op.f === "add" ? ADD : READ
    const state = op.f === "add" ? op.value! : op.value! + offset
    // A read of a value no set of the adds makes is never legal.
    a[i] = op.f === "add" || (state >= 0 && state <= offset + rise) ? state : ILLEGAL
  })
  return Either.right({ model: counterModel(offset), size: n, kind, a, b: new Int32Array(n), call, ret, operations: kept, offset })
}
