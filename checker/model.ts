import { canonicalJson, type Json } from "../foundation/json.js"
import { MalformedHistory, type Operation } from "./operations.js"
import { ILLEGAL, NEVER, type SearchModel, type SearchProblem } from "./searchModel.js"

/**
 * The compare-and-set register, initially absent, over interned values:
 * state 0 is "absent", state k > 0 is the k-th distinct JSON value.
 */
export const ABSENT = 0

export const READ = 0
export const WRITE = 1
export const CAS = 2

/**
 * Applies an encoded op to a state. READ: legal when the state is `a` or `b`
 * (a null read matches "absent" and a stored null). WRITE: becomes `a`.
 * CAS: legal only from `a` (so never on an absent key), becomes `b`.
 */
export const step = (state: number, kind: number, a: number, b: number): number => {
  switch (kind) {
    case READ:
      return state === a || state === b ? state : ILLEGAL
    case WRITE:
      return a
    default:
      return state === a ? b : ILLEGAL
  }
}

/** True when applying the op never changes the state (reads, and cas from x to x). */
export const preservesState = (kind: number, a: number, b: number): boolean => kind === READ || (kind === CAS && a === b)

/** The register as the search sees it: a write makes whatever came before it unobservable. */
export const registerModel: SearchModel = { initial: ABSENT, step, preservesState, overwrites: (kind) => kind === WRITE }

/** Distinct JSON values (by JSON equality) numbered from 1. */
export class ValueTable {
  private readonly ids = new Map<string, number>()
  private readonly values: Array<Json> = []

  intern(value: Json): number {
    const text = canonicalJson(value)
    let id = this.ids.get(text)
    if (id === undefined) {
      this.values.push(value)
      id = this.values.length
      this.ids.set(text, id)
    }
    return id
  }

  /** The value of a state; null for "absent" (and for a stored null). */
  valueOf(state: number): Json | null {
    return state === ABSENT ? null : this.values[state - 1]!
  }

  describe(state: number): string {
    return state === ABSENT ? "absent" : canonicalJson(this.values[state - 1]!)
  }
}

/**
 * One key's operations, reduced to what constrains the register, in invoke
 * order: failed ops and reads that did not complete ok are dropped (they
 * changed nothing), and so are null reads when they match anything.
 */
export interface RegisterProblem extends SearchProblem {
  readonly operations: ReadonlyArray<Operation>
  readonly values: ValueTable
}

const pairOf = (value: Json): readonly [Json, Json] | null =>
  Array.isArray(value) && value.length === 2 ? [value[0] as Json, value[1] as Json] : null

export const encodeRegister = (
  operations: ReadonlyArray<Operation>,
  nilReadMatchesAnything: boolean
): RegisterProblem => {
  const values = new ValueTable()
  const kept = operations.filter((op) => {
    if (op.outcome === "fail") return false
    if (op.f === "read") return op.outcome === "ok" && !(nilReadMatchesAnything && op.value === null)
    return true
  })
  const n = kept.length
  const kind = new Int8Array(n)
  const a = new Int32Array(n)
  const b = new Int32Array(n)
  const call = new Int32Array(n)
  const ret = new Int32Array(n)
  kept.forEach((op, i) => {
    call[i] = op.invokePosition
    ret[i] = op.outcome === "ok" ? op.completePosition! : NEVER
    switch (op.f) {
      case "read":
        kind[i] = READ
        if (op.value === null) {
          a[i] = ABSENT
          b[i] = values.intern(null)
        } else {
          a[i] = values.intern(op.value)
          b[i] = ILLEGAL
        }
        break
      case "write":
        kind[i] = WRITE
        a[i] = values.intern(op.value)
        break
      case "cas": {
        const pair = pairOf(op.value)
        if (pair === null)
          throw new MalformedHistory({ message: `cas at history index ${op.index} has value ${canonicalJson(op.value)}, not [from, to]` })
        kind[i] = CAS
        a[i] = values.intern(pair[0])
        b[i] = values.intern(pair[1])
        break
      }
    }
  })
  return { model: registerModel, size: n, kind, a, b, call, ret, operations: kept, values }
}

/** The problem restricted to the ops marked in `keep`, still in invoke order. */
export const restrictProblem = (p: RegisterProblem, keep: ReadonlyArray<boolean>): RegisterProblem => {
  const indices: Array<number> = []
  for (let i = 0; i < p.size; i++) if (keep[i]) indices.push(i)
  const pick = <A extends Int8Array | Int32Array>(from: A, make: (n: number) => A): A => {
    const out = make(indices.length)
    indices.forEach((i, j) => (out[j] = from[i]!))
    return out
  }
  return {
    model: p.model,
    size: indices.length,
    kind: pick(p.kind, (n) => new Int8Array(n)),
    a: pick(p.a, (n) => new Int32Array(n)),
    b: pick(p.b, (n) => new Int32Array(n)),
    call: pick(p.call, (n) => new Int32Array(n)),
    ret: pick(p.ret, (n) => new Int32Array(n)),
    operations: indices.map((i) => p.operations[i]!),
    values: p.values
  }
}
