import { describe, expect, it } from "@effect/vitest"
import { checkHistory } from "../../checker/check.js"
import { renderExplanationText } from "../../checker/explanation.js"
import { MalformedHistory } from "../../checker/operations.js"
import { history } from "./historyBuilder.js"

const verdictOf = (h: ReturnType<typeof history>, options = {}) => checkHistory(h.ops, options).verdict
const explanationOf = (h: ReturnType<typeof history>) => {
  const result = checkHistory(h.ops)
  expect(result.verdict).toBe("invalid")
  return result.keys[0]!.explanation!
}

describe("each way a register history can be wrong", () => {
  it("a stale read: a value overwritten before the read began", () => {
    const h = history().write(1, 1).write(1, 2).read(2, 1)
    const e = explanationOf(h)
    expect(e.failedOperation).toMatchObject({ process: 2, f: "read", value: 1 })
    expect(e.possibleStates).toEqual([2])
    expect(e.linearizedPrefix.map((op) => op.value)).toEqual([1, 2])
  })

  it("a lost write: the key reads as absent after an acknowledged write", () => {
    const h = history().write(1, 1).read(2, null)
    expect(explanationOf(h).failedOperation).toMatchObject({ f: "read", value: null })
  })

  it("a cas that succeeded from a value the register no longer held", () => {
    const h = history().write(1, 2).write(1, 1).cas(2, 2, 3)
    expect(explanationOf(h).failedOperation).toMatchObject({ f: "cas", value: [2, 3] })
  })

  it("a cas that succeeded on an absent key", () => {
    expect(explanationOf(history().cas(1, 0, 1)).failedOperation).toMatchObject({ f: "cas" })
  })

  it("values going back in time: one reader sees 2 then 1", () => {
    const h = history()
      .invoke(1, "write", 1).invoke(2, "write", 2).ok(1).ok(2)
      .read(3, 2).read(3, 1)
    const e = explanationOf(h)
    expect(e.failedOperation).toMatchObject({ process: 3, value: 1 })
    expect(e.possibleStates).toEqual([2])
  })

  it("a read of a value nobody wrote", () => {
    const h = history().write(1, 1).invoke(2, "write", 2).read(3, 7).ok(2)
    const e = explanationOf(h)
    expect(e.failedOperation).toMatchObject({ f: "read", value: 7 })
  })

  it("a read of a value whose write began only after the read returned", () => {
    const h = history().read(1, 5).write(2, 5)
    expect(explanationOf(h).failedOperation).toMatchObject({ f: "read", value: 5 })
  })
})

describe("indeterminate and failed operations", () => {
  it("valid only because an indeterminate write took effect", () => {
    const h = history().write(1, 1).invoke(2, "write", 2).info(2).read(1, 2)
    expect(verdictOf(h)).toBe("valid")
  })

  it("a write with no completion at all may take effect too", () => {
    expect(verdictOf(history().write(1, 1).invoke(2, "write", 2).read(1, 2))).toBe("valid")
  })

  it("the same history is invalid when that write failed: fail means it never happened", () => {
    expect(verdictOf(history().write(1, 1).invoke(2, "write", 2).fail(2).read(1, 2))).toBe("invalid")
  })

  it("valid only because an indeterminate cas took effect", () => {
    expect(verdictOf(history().write(1, 1).invoke(2, "cas", [1, 2]).info(2).read(1, 2))).toBe("valid")
    expect(verdictOf(history().write(1, 1).invoke(2, "cas", [1, 2]).fail(2).read(1, 2))).toBe("invalid")
  })

  it("valid only because an indeterminate write did not take effect before the reads", () => {
    const base = () => history().write(1, 1).invoke(2, "write", 2)
    // Had it been acknowledged, reading 1 after it would be stale.
    expect(verdictOf(base().ok(2).read(1, 1).read(1, 1))).toBe("invalid")
    expect(verdictOf(base().info(2).read(1, 1).read(1, 1))).toBe("valid")
  })

  it("valid only because an indeterminate cas never took effect", () => {
    // If the cas 1->2 happened, nothing could bring back the 1 read last.
    const h = history().write(1, 1).invoke(2, "cas", [1, 2]).info(2).read(1, 1).read(3, 1)
    expect(verdictOf(h)).toBe("valid")
  })

  it("valid only because two identical indeterminate cas both took effect", () => {
    const twice = history()
      .write(1, 0)
      .invoke(2, "cas", [0, 1]).info(2)
      .invoke(3, "cas", [0, 1]).info(3)
      .read(1, 1).write(1, 0).read(1, 1)
    expect(verdictOf(twice)).toBe("valid")
    const once = history()
      .write(1, 0)
      .invoke(2, "cas", [0, 1]).info(2)
      .read(1, 1).write(1, 0).read(1, 1)
    expect(verdictOf(once)).toBe("invalid")
  })

  it("reads that fail or time out say nothing", () => {
    const h = history().write(1, 1).invoke(2, "read").fail(2).invoke(3, "read").info(3).read(1, 1)
    expect(verdictOf(h)).toBe("valid")
  })

  it("a concurrent read may see a write before the write is acknowledged", () => {
    const h = history().invoke(1, "write", 1).read(2, 1).ok(1)
    expect(verdictOf(h)).toBe("valid")
  })

  it("a process that invokes again without completing left its earlier op indeterminate", () => {
    const h = history().write(1, 1).invoke(2, "write", 2).invoke(2, "read").ok(2, 2)
    expect(verdictOf(h)).toBe("valid")
  })
})

describe("null reads", () => {
  it("mean 'absent' in history.jsonl, and match anything when reading Knossos' data", () => {
    const h = history().write(1, 1).read(2, null)
    expect(verdictOf(h)).toBe("invalid")
    expect(verdictOf(h, { nilReadMatchesAnything: true })).toBe("valid")
  })

  it("of a key never written are valid", () => {
    expect(verdictOf(history().read(1, null).write(1, 3).read(1, 3))).toBe("valid")
  })

  it("see a stored null as well as an absent key", () => {
    expect(verdictOf(history().write(1, null).read(1, null).cas(1, null, 2).read(1, 2))).toBe("valid")
  })

  it("values compare as JSON, not by identity or text", () => {
    const h = history().write(1, { b: [1, 2], a: 1 }).read(2, { a: 1, b: [1, 2] }).cas(1, { a: 1, b: [1, 2] }, "2")
    expect(verdictOf(h)).toBe("valid")
    expect(verdictOf(history().write(1, 2).read(1, "2"))).toBe("invalid")
  })
})

describe("several keys", () => {
  const twoKeys = () =>
    history()
      .write(1, 1, "a").write(1, 1, "b").read(2, 9, "b").read(2, 1, "a")
      .write(3, 1, "c").read(3, 2, "c")

  it("are checked each on its own, in order of first appearance", () => {
    const result = checkHistory(twoKeys().ops)
    expect(result.verdict).toBe("invalid")
    expect(result.keys.map((k) => [k.key, k.verdict, k.operationCount])).toEqual([
      ["a", "valid", 2],
      ["b", "invalid", 2],
      ["c", "invalid", 2]
    ])
  })

  it("stop at the first invalid key when asked", () => {
    const result = checkHistory(twoKeys().ops, { stopAtFirstInvalid: true })
    expect(result.keys.map((k) => k.key)).toEqual(["a", "b"])
    expect(result.verdict).toBe("invalid")
  })

  it("interleaved in time do not constrain each other", () => {
    const h = history().invoke(1, "write", 1, "a").write(2, 5, "b").ok(1).read(2, 5, "b").read(3, 1, "a")
    expect(verdictOf(h)).toBe("valid")
  })
})

describe("budgets", () => {
  // 12 overlapping writes of distinct values, then reads of 1, 2, 1: no
  // linearization exists, and proving it takes trying every subset of the
  // writes in front of each possible last one.
  const hard = () => {
    const h = history()
    for (let p = 1; p <= 12; p++) h.invoke(100 + p, "write", p)
    for (let p = 1; p <= 12; p++) h.ok(100 + p)
    return h.read(1, 1).read(1, 2).read(1, 1)
  }

  it("without a binding budget, the hard history is decided", () => {
    expect(verdictOf(hard())).toBe("invalid")
  })

  it("a configuration budget gives 'unknown' and names the budget", () => {
    const result = checkHistory(hard().ops, { maxConfigurations: 100 })
    expect(result.verdict).toBe("unknown")
    expect(result.keys[0]!.reason).toMatch(/configuration limit of 100/)
  })

  it("a time budget gives 'unknown', measured by the injected clock", () => {
    let now = 0
    const clock = () => (now += 1000)
    const result = checkHistory(hard().ops, { timeLimitMs: 5000, clock })
    expect(result.verdict).toBe("unknown")
    expect(result.keys[0]!.reason).toMatch(/time limit of 5000 ms/)
  })

  it("a memory budget gives 'unknown'", () => {
    const result = checkHistory(hard().ops, { maxMemoryBytes: 64 * 1024 })
    expect(result.verdict).toBe("unknown")
    expect(result.keys[0]!.reason).toMatch(/memory limit/)
  })

  it("an invalid verdict from the pre-pass stands even when the explanation search runs out", () => {
    const h = hard().read(1, 99)
    const result = checkHistory(h.ops, { maxConfigurations: 100 })
    expect(result.verdict).toBe("invalid")
    expect(result.keys[0]!.explanation!.failedOperation).toMatchObject({ f: "read", value: 99 })
  })
})

describe("malformed histories", () => {
  it("a completion with no invoke is an error, not a verdict", () => {
    const h = history().write(1, 1)
    h.ops.push({ index: 2, time: 2, process: 5, type: "ok", f: "read", key: "k", value: 1 })
    expect(() => checkHistory(h.ops)).toThrow(MalformedHistory)
  })

  it("a completion of a different function is an error", () => {
    const h = history().invoke(1, "write", 1)
    h.ops.push({ index: 1, time: 1, process: 1, type: "ok", f: "read", key: "k", value: 1 })
    expect(() => checkHistory(h.ops)).toThrow(MalformedHistory)
  })
})

describe("the plain-text explanation", () => {
  it("names the failed op, the states before it and its concurrent ops on a timeline", () => {
    const h = history().write(1, 0).invoke(2, "write", 4).read(3, 3).ok(2).read(4, 4)
    const text = renderExplanationText(explanationOf(h))
    expect(text).toContain("process 3's read 3")
    expect(text).toContain("Register possible just before it: 0, 4")
    expect(text).toMatch(/\* +\|=*\| +process 3's read 3/)
    expect(text).toMatch(/\|=*\| +process 2's write 4/)
  })
})
