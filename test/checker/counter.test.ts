import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { checkCounterHistory } from "../../checker/counter/check.js"
import type { CounterHistoryOp } from "../../checker/counter/history.js"
import { MalformedHistory } from "../../checker/operations.js"

/** Writes small counter histories by hand: `h.invoke(1, "add", 3).ok(1)`. */
class CounterHistory {
  readonly ops: Array<CounterHistoryOp> = []
  private readonly open = new Map<number, { f: CounterHistoryOp["f"]; value: number | null }>()

  invoke(process: number, f: CounterHistoryOp["f"], delta: number | null = null): this {
    this.open.set(process, { f, value: delta })
    return this.push(process, "invoke", f, delta)
  }
  /** Completes `process`'s open op; a read's value is the value it read. */
  ok(process: number, readValue: number | null = null): this {
    return this.complete(process, "ok", readValue)
  }
  fail(process: number): this {
    return this.complete(process, "fail", null)
  }
  info(process: number): this {
    return this.complete(process, "info", null)
  }
  add(process: number, delta: number): this {
    return this.invoke(process, "add", delta).ok(process)
  }
  read(process: number, value: number): this {
    return this.invoke(process, "read").ok(process, value)
  }

  private complete(process: number, type: CounterHistoryOp["type"], readValue: number | null): this {
    const open = this.open.get(process)!
    this.open.delete(process)
    return this.push(process, type, open.f, open.f === "read" ? readValue : open.value)
  }
  private push(process: number, type: CounterHistoryOp["type"], f: CounterHistoryOp["f"], value: number | null): this {
    this.ops.push({ index: this.ops.length, time: this.ops.length * 1000, process, type, f, value })
    return this
  }
}

const history = () => new CounterHistory()
const verdictOf = (h: CounterHistory) => checkCounterHistory(h.ops).verdict

describe("counter histories that are linearizable", () => {
  it("adds and reads one after another, negative deltas too", () => {
    expect(verdictOf(history())).toBe("valid")
    expect(verdictOf(history().read(1, 0).add(1, 3).read(2, 3).add(2, -5).read(1, -2))).toBe("valid")
  })

  it("a read concurrent with an add sees it or not", () => {
    for (const seen of [0, 4]) {
      expect(verdictOf(history().invoke(1, "add", 4).invoke(2, "read").ok(2, seen).ok(1))).toBe("valid")
    }
  })

  it("concurrent adds take effect in either order", () => {
    const h = history().invoke(1, "add", 1).invoke(2, "add", 2).invoke(3, "read").ok(3, 2).ok(1).ok(2).read(3, 3)
    expect(verdictOf(h)).toBe("valid")
  })

  it("an add that timed out may take effect much later, or never", () => {
    expect(verdictOf(history().invoke(1, "add", 5).info(1).read(2, 0).read(2, 5).read(2, 5))).toBe("valid")
    expect(verdictOf(history().invoke(1, "add", 5).info(1).read(2, 0).read(2, 0))).toBe("valid")
    // Two identical timed-out adds, one seen, then both.
    const h = history().invoke(1, "add", 2).info(1).invoke(3, "add", 2).info(3).read(2, 2).read(2, 4)
    expect(verdictOf(h)).toBe("valid")
  })

  it("reads that did not complete ok say nothing", () => {
    expect(verdictOf(history().add(1, 1).invoke(2, "read").fail(2).invoke(3, "read").info(3).read(1, 1))).toBe("valid")
  })
})

describe("counter histories that are not linearizable", () => {
  const failureOf = (h: CounterHistory) => {
    const result = checkCounterHistory(h.ops)
    expect(result.verdict).toBe("invalid")
    return result.failure!
  }

  it("a stale read: an acknowledged add is missing", () => {
    const failure = failureOf(history().add(1, 2).read(2, 0))
    expect(failure.operation).toMatchObject({ process: 2, f: "read", value: 0 })
    expect(failure.summary).toContain("the counter could only hold 2, never the 0 it read")
  })

  it("a value no set of the adds makes", () => {
    expect(failureOf(history().invoke(1, "add", 2).info(1).add(3, 3).read(2, 4)).summary).toContain("read 4")
  })

  it("an add that failed, seen anyway", () => {
    expect(verdictOf(history().invoke(1, "add", 7).fail(1).read(2, 7))).toBe("invalid")
  })

  it("a counter that goes back: 3 read after 4 with only positive adds", () => {
    expect(verdictOf(history().add(1, 3).invoke(1, "add", 1).info(1).read(2, 4).read(2, 3))).toBe("invalid")
  })

  it("two readers who see concurrent adds in orders no single order explains", () => {
    // +1 and +2 run concurrently: reading 1 means +1 came first, so a later read can see 3 but never 2.
    const h = history().invoke(1, "add", 1).invoke(2, "add", 2).read(3, 1).read(4, 2).ok(1).ok(2)
    expect(failureOf(h).operation).toMatchObject({ process: 4, f: "read", value: 2 })
  })
})

describe("malformed counter histories", () => {
  it("a completion without its invoke, or of another function", () => {
    const lone = history().add(1, 1).ops.slice(1)
    expect(() => checkCounterHistory(lone)).toThrow(MalformedHistory)
    const mixed = history().invoke(1, "add", 1).ops.concat([{ index: 1, time: 1, process: 1, type: "ok", f: "read", value: 1 }])
    expect(() => checkCounterHistory(mixed)).toThrow(MalformedHistory)
  })

  it("deltas too large for the search's states leave the verdict unknown, saying why", () => {
    const result = checkCounterHistory(history().add(1, 2 ** 31).read(1, 2 ** 31).ops)
    expect(result.verdict).toBe("unknown")
    expect(result.reason).toContain("span")
  })
})

/**
 * The definition, for cross-checking the search on small histories: every
 * order of the operations that respects real time, each indeterminate add
 * placed or left out.
 */
const bruteForce = (ops: ReadonlyArray<CounterHistoryOp>): boolean => {
  type Op = { f: "add" | "read"; value: number; required: boolean; invoke: number; ret: number }
  const live: Array<Op> = []
  const open = new Map<number, { op: CounterHistoryOp; at: number }>()
  ops.forEach((op, at) => {
    if (op.type === "invoke") return void open.set(op.process, { op, at })
    const invoke = open.get(op.process)!
    open.delete(op.process)
    if (op.type === "fail" || (op.f === "read" && op.type !== "ok")) return
    const ok = op.type === "ok"
    live.push({ f: op.f, value: op.f === "add" ? invoke.op.value! : op.value!, required: ok, invoke: invoke.at, ret: ok ? at : Infinity })
  })
  for (const { op, at } of open.values()) {
    if (op.f === "add") live.push({ f: "add", value: op.value!, required: false, invoke: at, ret: Infinity })
  }
  const placed = live.map(() => false)
  const search = (value: number): boolean => {
    if (live.every((op, i) => placed[i] || !op.required)) return true
    return live.some((op, i) => {
      if (placed[i] || live.some((other, j) => !placed[j] && j !== i && other.ret < op.invoke)) return false
      if (op.f === "read" && op.value !== value) return false
      placed[i] = true
      const found = search(op.f === "add" ? value + op.value : value)
      placed[i] = false
      return found
    })
  }
  return search(0)
}

/** A random small history: processes invoke adds of -1..2 or reads, and complete them ok, fail or info, reads seeing 0..4. */
const randomHistory = fc.array(
  fc.record({ process: fc.integer({ min: 1, max: 4 }), add: fc.boolean(), delta: fc.integer({ min: -1, max: 2 }),
    seen: fc.integer({ min: 0, max: 4 }), end: fc.constantFrom("ok", "ok", "ok", "fail", "info") }),
  { maxLength: 16 }
).map((steps) => {
  const h = history()
  const open = new Set<number>()
  for (const step of steps) {
    if (!open.has(step.process)) {
      h.invoke(step.process, step.add ? "add" : "read", step.add ? step.delta : null)
      open.add(step.process)
    } else {
      open.delete(step.process)
      if (step.end === "ok") h.ok(step.process, step.seen)
      else if (step.end === "fail") h.fail(step.process)
      else h.info(step.process)
    }
  }
  return h.ops
})

describe("the counter check agrees with the definition", () => {
  it("on small random histories, valid and invalid alike", () => {
    const seen = { valid: 0, invalid: 0 }
    fc.assert(
      fc.property(randomHistory, (ops) => {
        const expected = bruteForce(ops) ? "valid" : "invalid"
        expect(checkCounterHistory(ops).verdict).toBe(expected)
        seen[expected]++
      }),
      { numRuns: 2000 }
    )
    expect(seen.valid).toBeGreaterThan(200)
    expect(seen.invalid).toBeGreaterThan(200)
  })
})
