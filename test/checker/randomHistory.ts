import { FastCheck as fc } from "effect"
import type { Json } from "../../foundation/json.js"
import type { HistoryOp } from "../../checker/history.js"
import type { SmallOp } from "./bruteForce.js"

/**
 * Random small lin-kv histories: a sequence of steps, each naming a process;
 * a process with nothing open invokes its step's op, one with an op open
 * completes it with the step's outcome (and, for a read, the step's value).
 * Ops still open at the end never complete.
 */
export interface Step {
  readonly process: number
  readonly key: number
  readonly f: "read" | "write" | "cas"
  readonly x: number
  readonly y: number
  readonly outcome: "ok" | "fail" | "info"
  readonly read: number | null
}

export const stepArbitrary = (processes: number, keys: number, infoShare = 1 / 5): fc.Arbitrary<Step> =>
  fc.record({
    process: fc.integer({ min: 0, max: processes - 1 }),
    key: fc.integer({ min: 0, max: keys - 1 }),
    f: fc.constantFrom("read" as const, "write" as const, "cas" as const),
    x: fc.integer({ min: 0, max: 2 }),
    y: fc.integer({ min: 0, max: 2 }),
    outcome: fc.integer({ min: 0, max: 99 }).map((n) =>
      n < infoShare * 100 ? ("info" as const) : n < (infoShare + (1 - infoShare) / 4) * 100 ? ("fail" as const) : ("ok" as const)
    ),
    read: fc.constantFrom(null, 0, 1, 2)
  })

export interface Built {
  readonly history: ReadonlyArray<HistoryOp>
  /** Per key, the ops as the brute-force checker takes them. */
  readonly byKey: ReadonlyMap<number, ReadonlyArray<SmallOp>>
}

export const buildHistory = (steps: ReadonlyArray<Step>): Built => {
  const history: Array<HistoryOp> = []
  const open = new Map<number, { step: Step; at: number }>()
  const byKey = new Map<number, Array<SmallOp>>()
  const valueOf = (s: Step): Json => (s.f === "write" ? s.x : s.f === "cas" ? [s.x, s.y] : null)
  const record = (s: Step, invoke: number, complete: number | null, outcome: SmallOp["outcome"], read: Json) => {
    const ops = byKey.get(s.key) ?? []
    ops.push({ f: s.f, value: s.f === "read" ? read : valueOf(s), outcome, invoke, complete })
    byKey.set(s.key, ops)
  }
  for (const s of steps) {
    const pending = open.get(s.process)
    const at = history.length
    if (pending === undefined) {
      history.push({ index: at, time: at, process: s.process, type: "invoke", f: s.f, key: s.key, value: valueOf(s) })
      open.set(s.process, { step: s, at })
    } else {
      const p = pending.step
      const read = p.f === "read" && s.outcome === "ok" ? s.read : null
      history.push({
        index: at,
        time: at,
        process: s.process,
        type: s.outcome,
        f: p.f,
        key: p.key,
        value: p.f === "read" ? read : valueOf(p)
      })
      open.delete(s.process)
      record(p, pending.at, at, s.outcome, read)
    }
  }
  for (const { at, step } of open.values()) record(step, at, null, "info", null)
  return { history, byKey }
}
