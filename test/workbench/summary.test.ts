import { describe, expect, it } from "vitest"
import type { NodeCrash } from "../../workbench/cluster.js"
import type { FaultWindow } from "../../workbench/nemesis.js"
import { problemsOf, type Results } from "../../workbench/results.js"
import { emptyCounters } from "../../workbench/router.js"
import { computeStats } from "../../workbench/stats.js"
import { summaryText } from "../../workbench/summary.js"

const crash: NodeCrash = {
  node: "n1",
  code: 3,
  signal: null,
  atMs: 2500,
  stderrTail: ["panic: gave up"],
  logPath: "/store/node-logs/n1.log"
}

const faults: ReadonlyArray<FaultWindow> = [
  { kind: "partition", description: "isolate one [n0] | [n1 n2]", nodes: ["n0", "n1", "n2"], startMs: 500, endMs: 1500 },
  { kind: "kill", description: "n2 killed", nodes: ["n2"], startMs: 1200, endMs: 2100 },
  { kind: "pause", description: "n0 paused", nodes: ["n0"], startMs: 2200, endMs: 2600 },
  {
    kind: "kill",
    description: "n0 killed",
    nodes: ["n0"],
    startMs: 3000,
    endMs: 13100,
    problem: "n0 did not come back after it was killed: n0 did not answer init within 10 s"
  }
]

/** A test's results with no operation, one crash and these faults. */
const results = (): Results => {
  const linearizability = { verdict: "valid", keys: [] } as const
  const problems = problemsOf(linearizability, [crash], faults, [])
  return {
    workload: "lin-kv",
    valid: false,
    problems,
    test: {
      bin: "/bin/node",
      binArgs: [],
      nodes: ["n0", "n1", "n2"],
      concurrency: 6,
      rate: 100,
      timeLimitSeconds: 10,
      latencyMs: 0,
      latencyDistribution: "constant",
      nemesis: ["partition", "kill", "pause"],
      nemesisIntervalSeconds: 1,
      availability: null,
      valueBytes: null,
      clientTimeoutMs: 1000,
      seed: 1,
      startedAt: "2026-01-01T00:00:00.000Z"
    },
    end: { reason: "time limit", atMs: 10_000 },
    linearizability,
    stats: computeStats([], emptyCounters, 10),
    network: emptyCounters,
    malformedReplies: { count: 0, sample: null, expected: "" },
    faults,
    crashes: [crash]
  }
}

const occurrences = (text: string, part: string) => text.split(part).length - 1

describe("the summary", () => {
  it("shows each crash once, first, with its stderr", () => {
    const text = summaryText({ dir: "/store/lin-kv/1", results: results() })
    expect(occurrences(text, "node n1 crashed at 2.5 s (exit code 3, signal null)")).toBe(1)
    expect(text.split("\n")[1]).toBe(
      "  CRASH: node n1 crashed at 2.5 s (exit code 3, signal null); the last 1 line(s) of its stderr (all in /store/node-logs/n1.log):"
    )
    expect(text).toContain("    | panic: gave up")
  })

  it("lists the faults by kind, each with its times, and a killed node that did not come back among the problems", () => {
    const text = summaryText({ dir: "/store/lin-kv/1", results: results() })
    expect(text).toContain("  faults: 1 partition, 2 kill, 1 pause\n")
    expect(text).toContain("    0.5-1.5 s: isolate one [n0] | [n1 n2]\n")
    expect(text).toContain("    1.2-2.1 s: n2 killed\n")
    expect(text).toContain("    2.2-2.6 s: n0 paused\n")
    const problem = "n0 did not come back after it was killed: n0 did not answer init within 10 s"
    expect(text).toContain("    3.0-13.1 s: n0 killed\n")
    expect(results().problems).toContain(problem)
    expect(occurrences(text, problem)).toBe(1)
  })
})
