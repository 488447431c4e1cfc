import { describe, expect, it } from "vitest"
import type { HistoryOp } from "../../checker/history.js"
import { emptyCounters } from "../../workbench/router.js"
import { computeStats } from "../../workbench/stats.js"
import { statsProblems } from "../../workbench/statsRule.js"

/** A history from (process, type, f) triples, one millisecond apart. */
const historyOf = (lines: ReadonlyArray<readonly [number, HistoryOp["type"], HistoryOp["f"]]>): Array<HistoryOp> =>
  lines.map(([process, type, f], index) => ({ index, time: index * 1e6, process, type, f, key: 0, value: null }))

const problemsOf = (history: ReadonlyArray<HistoryOp>, availability?: number) =>
  statsProblems(computeStats(history, emptyCounters, 1), availability)

describe("the stats rule", () => {
  it("keeps a run where every kind tried succeeded at least once", () => {
    expect(problemsOf(historyOf([[0, "invoke", "read"], [0, "ok", "read"], [1, "invoke", "write"], [1, "fail", "write"]])))
      .toEqual(["no write ever succeeded (1 fail, 0 info)"])
    expect(problemsOf(historyOf([[0, "invoke", "read"], [0, "ok", "read"]]))).toEqual([])
  })

  it("finds a run with no operation at all invalid", () => {
    expect(problemsOf([])).toEqual(["no operation completed (0 invoked, 0 unanswered when the test ended)"])
  })

  it("finds a run whose operations were all left unanswered invalid", () => {
    expect(problemsOf(historyOf([[0, "invoke", "read"], [1, "invoke", "write"]])))
      .toEqual(["no operation completed (2 invoked, 2 unanswered when the test ended)"])
  })

  it("compares the ok fraction with --availability", () => {
    const history = historyOf([[0, "invoke", "read"], [0, "ok", "read"], [1, "invoke", "read"], [1, "fail", "read"]])
    expect(problemsOf(history, 0.5)).toEqual([])
    expect(problemsOf(history, 1)).toEqual(["availability 50.0% (1 ok of 2 operations) is below the required 100.0% (--availability)"])
  })
})
