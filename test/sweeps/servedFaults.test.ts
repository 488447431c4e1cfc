import { describe, expect, it } from "vitest"
import { problemsOfRun, runFaultScenario } from "../support/servedFaultScenario.js"

// Real `bin/raft serve` processes (`npm run build` first) behind a TCP proxy on every peer link: the
// short run of test/serve/faults.e2e.test.ts, longer, on 3 and 5 nodes.

describe("bin/raft serve under rounds of faults on its peer links, kills and restarts", () => {
  it("keeps a linearizable history on 3 nodes through 4 rounds", async () => {
    expect(problemsOfRun(await runFaultScenario({ size: 3, rounds: 4, concurrency: 6 }))).toEqual([])
  }, 120_000)

  it("keeps a linearizable history on 5 nodes through 3 rounds, a minority of two cut off each time", async () => {
    expect(problemsOfRun(await runFaultScenario({ size: 5, rounds: 3, concurrency: 6 }))).toEqual([])
  }, 120_000)
})
