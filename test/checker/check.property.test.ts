import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { checkHistory } from "../../checker/check.js"
import { encodeRegister } from "../../checker/model.js"
import { groupOperations } from "../../checker/operations.js"
import type { InvalidExplanation, OperationSummary } from "../../checker/result.js"
import { searchLinearization } from "../../checker/search.js"
import { jsonEquals, type Json } from "../../foundation/json.js"
import { bruteForceLinearizable } from "./bruteForce.js"
import { buildHistory, stepArbitrary } from "./randomHistory.js"

// Large enough that these small histories are always decided.
const generous = { timeLimitMs: 1e9, maxConfigurations: 1e9, maxMemoryBytes: 2 ** 40, clock: () => 0 }

/** The prefix an explanation shows must itself be a legal register sequence that respects real time. */
const prefixIsLegal = (explanation: InvalidExplanation, nilMatchesAnything: boolean): boolean => {
  let state: Json | undefined = undefined // undefined: absent
  const ops = explanation.linearizedPrefix
  for (const op of ops) {
    if (op.outcome === "fail") return false
    if (op.f === "read") {
      const ok = op.value === null ? nilMatchesAnything || state === undefined || state === null
        : state !== undefined && jsonEquals(state, op.value)
      if (!ok) return false
    } else if (op.f === "write") state = op.value
    else {
      const [from, to] = op.value as [Json, Json]
      if (state === undefined || !jsonEquals(state, from)) return false
      state = to
    }
  }
  const returned = (op: OperationSummary) => (op.outcome === "ok" ? op.completeTime! : Infinity)
  for (let i = 0; i < ops.length; i++) {
    for (let j = i + 1; j < ops.length; j++) if (returned(ops[j]!) < ops[i]!.invokeTime) return false
  }
  return !ops.some((op) => op.index === explanation.failedOperation.index)
}

describe("checkHistory against a brute-force checker", () => {
  const cases = [
    { name: "one key, up to 7 ops over 1-4 processes", processes: 4, keys: 1, maxSteps: 14, runs: 4000 },
    { name: "two keys, each checked on its own", processes: 3, keys: 2, maxSteps: 16, runs: 1500 },
    { name: "one key, many ops in flight", processes: 6, keys: 1, maxSteps: 16, runs: 1500 },
    { name: "one key, mostly indeterminate ops", processes: 5, keys: 1, maxSteps: 18, runs: 1500, infoShare: 0.5 }
  ]
  for (const c of cases) {
    it(c.name, () => {
      const seen = { valid: 0, invalid: 0 }
      fc.assert(
        fc.property(
          fc.array(stepArbitrary(c.processes, c.keys, c.infoShare), { minLength: 1, maxLength: c.maxSteps }),
          fc.boolean(),
          (steps, nilMatchesAnything) => {
            const { byKey, history } = buildHistory(steps)
            const result = checkHistory(history, { ...generous, nilReadMatchesAnything: nilMatchesAnything })
            const groups = groupOperations(history)
            for (const keyResult of result.keys) {
              const expected = bruteForceLinearizable(byKey.get(keyResult.key as number)!, nilMatchesAnything)
              expect(keyResult.verdict).toBe(expected ? "valid" : "invalid")
              // The plain search, the fast one's reference on bigger histories, must agree too.
              const group = groups.find((g) => g.key === keyResult.key)!
              const plain = searchLinearization(encodeRegister(group.operations, nilMatchesAnything), generous, {
                reductions: false
              })
              expect(plain._tag).toBe(expected ? "Linearizable" : "NotLinearizable")
              seen[expected ? "valid" : "invalid"]++
              if (keyResult.verdict === "invalid") {
                expect(prefixIsLegal(keyResult.explanation!, nilMatchesAnything)).toBe(true)
              }
            }
            expect(result.keys.length).toBe(byKey.size)
          }
        ),
        { numRuns: c.runs }
      )
      // Both verdicts must be common, or the comparison proves little.
      expect(seen.valid).toBeGreaterThan(c.runs / 10)
      expect(seen.invalid).toBeGreaterThan(c.runs / 10)
    })
  }
})
