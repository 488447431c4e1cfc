import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { checkHistory } from "../../checker/check.js"
import { encodeRegister } from "../../checker/model.js"
import { groupOperations } from "../../checker/operations.js"
import { searchLinearization } from "../../checker/search.js"
import { buildHistory, stepArbitrary } from "./randomHistory.js"

const generous = { timeLimitMs: 1e9, maxConfigurations: 1e9, maxMemoryBytes: 2 ** 40, clock: () => 0 }

/**
 * The fast search (all reductions and pre-passes) against plain WGL with an
 * exact memo, on histories too big for the brute-force checker: more ops,
 * more of them in flight, many indeterminate.
 */
describe("the fast search agrees with plain WGL", () => {
  const cases = [
    { name: "up to 18 ops, 6 processes, 40% indeterminate", processes: 6, maxSteps: 36, infoShare: 0.4, runs: 3000 },
    { name: "up to 24 ops, 8 processes, 25% indeterminate", processes: 8, maxSteps: 48, infoShare: 0.25, runs: 1000 }
  ]
  for (const c of cases) {
    it(c.name, () => {
      const seen = { valid: 0, invalid: 0 }
      fc.assert(
        fc.property(
          fc.array(stepArbitrary(c.processes, 1, c.infoShare), { minLength: 1, maxLength: c.maxSteps }),
          fc.boolean(),
          (steps, nilMatchesAnything) => {
            const { history } = buildHistory(steps)
            const fast = checkHistory(history, { ...generous, nilReadMatchesAnything: nilMatchesAnything })
            for (const group of groupOperations(history)) {
              const plain = searchLinearization(encodeRegister(group.operations, nilMatchesAnything), generous, {
                reductions: false
              })
              const expected = plain._tag === "Linearizable" ? "valid" : "invalid"
              expect(plain._tag).not.toBe("BudgetExhausted")
              expect(fast.keys[0]!.verdict).toBe(expected)
              seen[expected]++
            }
          }
        ),
        { numRuns: c.runs }
      )
      expect(seen.valid).toBeGreaterThan(c.runs / 10)
      expect(seen.invalid).toBeGreaterThan(c.runs / 10)
    })
  }
})
