import { describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { checkHistory } from "../../checker/check.js"
import { parseHistoryText } from "../../checker/formats/load.js"

// Kept in the repository (see its SOURCE.md), so a clone anywhere runs these cases.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/knossos-cas-register")
const filesIn = (verdict: "good" | "bad") => fs.readdirSync(path.join(root, verdict)).filter((f) => f.endsWith(".edn")).sort()

const check = (verdict: "good" | "bad", file: string) => {
  const text = fs.readFileSync(path.join(root, verdict, file), "utf8")
  const loaded = parseHistoryText(file, text)
  expect(loaded.layout).toBe("single-register")
  return checkHistory(loaded.ops, loaded.options)
}

describe("Knossos' cas-register test data", () => {
  it("has the files its README promises", () => {
    expect(filesIn("good")).toHaveLength(113)
    expect(filesIn("bad")).toHaveLength(7)
  })

  // Knossos calls a history of nemesis operations alone valid; ours refuses to judge it (fail closed):
  // an empty history proves nothing, and the command line exits 3 on it.
  const nemesisOnly = ["mongodb-v0-ack-rollback-.edn"]

  it("refuses to judge a history with no client operation: mongodb-v0-ack-rollback-.edn", () => {
    const text = fs.readFileSync(path.join(root, "good", nemesisOnly[0]!), "utf8")
    expect(() => parseHistoryText(nemesisOnly[0]!, text)).toThrow(/no client operations found/)
  })

  describe("good histories are valid", () => {
    for (const file of filesIn("good").filter((f) => !nemesisOnly.includes(f))) {
      it(file, () => {
        const result = check("good", file)
        expect(result.verdict).toBe("valid")
      })
    }
  })

  describe("bad histories are invalid, with an explanation", () => {
    for (const file of filesIn("bad")) {
      it(file, () => {
        const result = check("bad", file)
        expect(result.verdict).toBe("invalid")
        const explanation = result.keys[0]!.explanation!
        expect(explanation.failedOperation.outcome).toBe("ok")
        expect(explanation.summary.length).toBeGreaterThan(0)
      })
    }
  })

  it("names the read Knossos names in cas-failure: process 70's read of 0", () => {
    const explanation = check("bad", "cas-failure.edn").keys[0]!.explanation!
    expect(explanation.failedOperation).toMatchObject({ process: 70, f: "read", value: 0 })
  })

  it("blames the read of 3 in rethink-fail-minimal, not the op after it", () => {
    const explanation = check("bad", "rethink-fail-minimal.edn").keys[0]!.explanation!
    expect(explanation.failedOperation).toMatchObject({ process: 1, f: "read", value: 3 })
    expect(explanation.possibleStates).toEqual(expect.arrayContaining([0]))
    expect(explanation.concurrentOperations.map((op) => op.process)).toEqual([2])
  })
})
