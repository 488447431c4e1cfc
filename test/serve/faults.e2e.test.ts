import { describe, expect, it } from "vitest"
import { problemsOfRun, runFaultScenario } from "../support/servedFaultScenario.js"

describe("bin/raft serve under faults on its peer links, a kill -9 and a restart", () => {
  it("keeps a linearizable history through a partition of the leader, slow and lossy links, and a killed leader, on 3 nodes", async () => {
    expect(problemsOfRun(await runFaultScenario({ size: 3, rounds: 1, concurrency: 4 }))).toEqual([])
  }, 40_000)
})
