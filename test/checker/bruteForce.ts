import { jsonEquals, type Json } from "../../foundation/json.js"

/**
 * A linearizability checker written from the definition, for cross-checking
 * the real one on small histories: try every order of the operations that
 * respects real time, with each indeterminate op either placed or left out.
 * Exponential; only for a handful of ops.
 */
export interface SmallOp {
  readonly f: "read" | "write" | "cas"
  /** Value read (ok reads), written, or [from, to]. */
  readonly value: Json
  readonly outcome: "ok" | "fail" | "info"
  /** Event positions; complete is null when the op never completed. */
  readonly invoke: number
  readonly complete: number | null
}

const ABSENT = Symbol("absent")
type State = Json | typeof ABSENT

const apply = (state: State, op: SmallOp, nilMatchesAnything: boolean): State | undefined => {
  switch (op.f) {
    case "read":
      if (op.value === null) return nilMatchesAnything || state === ABSENT || state === null ? state : undefined
      return state !== ABSENT && jsonEquals(state, op.value) ? state : undefined
    case "write":
      return op.value
    case "cas": {
      const [from, to] = op.value as [Json, Json]
      return state !== ABSENT && jsonEquals(state, from) ? to : undefined
    }
  }
}

export const bruteForceLinearizable = (ops: ReadonlyArray<SmallOp>, nilMatchesAnything = false): boolean => {
  // Failed ops never happened; reads that did not complete ok say nothing.
  const live = ops.filter((op) => op.outcome !== "fail" && (op.f !== "read" || op.outcome === "ok"))
  const required = live.map((op) => op.outcome === "ok")
  const placed = live.map(() => false)
  const returnOf = (i: number) => (live[i]!.outcome === "ok" ? live[i]!.complete! : Infinity)

  const search = (state: State): boolean => {
    if (live.every((_, i) => placed[i] || !required[i])) return true
    for (let i = 0; i < live.length; i++) {
      if (placed[i]) continue
      // i may go next only if no unplaced op returned before i was invoked.
      const blocked = live.some((_, j) => !placed[j] && j !== i && returnOf(j) < live[i]!.invoke)
      if (blocked) continue
      const after = apply(state, live[i]!, nilMatchesAnything)
      if (after === undefined) continue
      placed[i] = true
      const found = search(after)
      placed[i] = false
      if (found) return true
    }
    return false
  }
  return search(ABSENT)
}
