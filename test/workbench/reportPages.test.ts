import { describe, expect, it } from "vitest"
import { checkHistory } from "../../checker/check.js"
import type { HistoryOp } from "../../checker/history.js"
import { processNodes, unlinearizableColor } from "../../workbench/html.js"
import { htmlReport } from "../../workbench/report.js"
import type { Results } from "../../workbench/results.js"
import { emptyCounters } from "../../workbench/router.js"
import { computeStats } from "../../workbench/stats.js"
import { timelinePage } from "../../workbench/timeline.js"

type Line = Omit<HistoryOp, "index" | "time">

/**
 * Five operations on key 0 by four processes on three nodes: an ok write of 1,
 * a read of 2 that nothing wrote (the checker's counterexample), a failed
 * cas, an indefinite write, and a read that never completed.
 */
const lines: ReadonlyArray<Line> = [
  { process: 0, type: "invoke", f: "write", key: 0, value: 1, node: "n0" },
  { process: 0, type: "ok", f: "write", key: 0, value: 1, node: "n0" },
  { process: 1, type: "invoke", f: "read", key: 0, value: null, node: "n1" },
  { process: 2, type: "invoke", f: "cas", key: 0, value: [1, 3], node: "n2" },
  { process: 1, type: "ok", f: "read", key: 0, value: 2, node: "n1" },
  { process: 2, type: "fail", f: "cas", key: 0, value: [1, 3], node: "n2", error: { code: 22, text: "it is 1" } },
  { process: 2, type: "invoke", f: "write", key: 0, value: 4, node: "n2" },
  { process: 2, type: "info", f: "write", key: 0, value: 4, node: "n2", error: { code: 0, text: "no reply" } },
  { process: 5, type: "invoke", f: "read", key: 0, value: null, node: "n2" }
]
const history: ReadonlyArray<HistoryOp> = lines.map((line, index) => ({ ...line, index, time: index * 1_000_000 }))

const resultsOf = (ops: ReadonlyArray<HistoryOp>): Results => {
  const linearizability = checkHistory(ops)
  return {
    workload: "lin-kv",
    valid: linearizability.verdict === "valid",
    problems: [],
    test: {
      bin: "bin/some-node",
      binArgs: [],
      nodes: ["n0", "n1", "n2"],
      concurrency: 3,
      rate: 10,
      timeLimitSeconds: 1,
      latencyMs: 0,
      latencyDistribution: "constant",
      nemesis: [],
      nemesisIntervalSeconds: 10,
      availability: null,
      valueBytes: null,
      clientTimeoutMs: 1000,
      seed: 1,
      startedAt: "2026-01-01T00:00:00.000Z"
    },
    end: { reason: "time limit", atMs: 1000 },
    linearizability,
    stats: computeStats(ops, emptyCounters, 1),
    network: emptyCounters,
    malformedReplies: { count: 0, sample: null, expected: "" },
    faults: [],
    crashes: []
  }
}

/** The operation boxes of a timeline page: classes, hover text, label. */
const boxesOf = (page: string) =>
  [...page.matchAll(/<div class="(op [^"]*)" style="[^"]*" title="([^"]*)">([^<]*)<\/div>/g)].map(([, classes, title, label]) => ({
    classes: classes!.split(" "),
    title: title!,
    label: label!
  }))

describe("timeline.html", () => {
  const results = resultsOf(history)
  const page = timelinePage(history, results)

  it("draws every operation of the history once, coloured by outcome, in its process's column", () => {
    expect(results.linearizability.verdict).toBe("invalid")
    const boxes = boxesOf(page)
    expect(boxes.map((box) => box.label)).toEqual(["k0 write 1", "k0 read 2", "k0 cas 1→3", "k0 write 4", "k0 read ?"])
    expect(boxes.map((box) => box.classes[1])).toEqual(["ok", "ok", "fail", "info", "info"])
    expect(boxes[4]!.classes).toContain("unfinished")
    expect(boxes[2]!.title).toContain("process 2 (n2)")
    expect(boxes[2]!.title).toContain("error 22: it is 1")
    for (const header of ["process 0<br>n0", "process 1<br>n1", "process 2<br>n2", "process 5<br>n2"]) expect(page).toContain(header)
    expect(page).not.toContain("<script")
  })

  it("gives the operation the checker could not linearize its own class, and no other", () => {
    const marked = boxesOf(page).filter((box) => box.classes.includes("unlinearizable"))
    expect(marked.map((box) => box.label)).toEqual(["k0 read 2"])
    expect(page).toContain(`.unlinearizable { background: ${unlinearizableColor}`)
  })

  it("cuts a long value or error text short, saying its length, so that large values do not fill the page", () => {
    const long = "7".repeat(65_536)
    const written: ReadonlyArray<HistoryOp> = [
      { process: 0, type: "invoke", f: "write", key: 0, value: long, node: "n0", index: 0, time: 0 },
      { process: 0, type: "ok", f: "write", key: 0, value: long, node: "n0", index: 1, time: 1_000_000 }
    ]
    const longPage = timelinePage(written, resultsOf(written))
    expect(boxesOf(longPage).map((box) => box.label)).toEqual([`k0 write &quot;${"7".repeat(23)}… (65538 characters)`])
    expect(longPage.length).toBeLessThan(10_000)
    // A node's error text may quote the values too.
    const refused: ReadonlyArray<HistoryOp> = [
      { process: 0, type: "invoke", f: "cas", key: 0, value: [long, "1"], node: "n0", index: 0, time: 0 },
      { process: 0, type: "fail", f: "cas", key: 0, value: [long, "1"], node: "n0", index: 1, time: 1_000_000,
        error: { code: 22, text: `expected ${long}` } }
    ]
    const refusedBox = boxesOf(timelinePage(refused, resultsOf(refused)))[0]!
    expect(refusedBox.title).toContain(`error 22: expected ${"7".repeat(191)}… (65545 characters)`)
    expect(refusedBox.title.length).toBeLessThan(1000)
  })

  it("marks nothing in a linearizable history", () => {
    const valid = history.slice(0, 4).concat([{ ...history[4]!, value: 1 }])
    const validPage = timelinePage(valid, resultsOf(valid))
    expect(boxesOf(validPage).length).toBe(3)
    expect(boxesOf(validPage).some((box) => box.classes.includes("unlinearizable"))).toBe(false)
  })
})

describe("report.html", () => {
  const results = resultsOf(history)
  const page = htmlReport(results, { latency: "<svg></svg>", rate: "<svg></svg>" }, processNodes(history))

  it("draws the unlinearizable operation in its own colour and class, labels each process with its node, and links the timeline", () => {
    const marked = [...page.matchAll(/<g class="unlinearizable"><title>([^<]*)<\/title><rect [^>]*fill="([^"]+)"/g)]
    expect(marked.map(([, title, fill]) => [title!.slice(0, 6), fill])).toEqual([["read 2", unlinearizableColor]])
    expect(page).toContain(">process 1 (n1)</text>")
    expect(page).toContain(`<a href="timeline.html">`)
  })

  it("lists every fault with its time span and its outcome (healed, or a transfer's or membership change's), and has no fault section without faults", () => {
    expect(page).not.toContain("<h2>Faults</h2>")
    const faulted = htmlReport(
      {
        ...results,
        faults: [
          { kind: "partition", description: "isolate one [n0] | [n1 n2]", nodes: ["n0"], startMs: 1500, endMs: 4250 },
          { kind: "kill", description: "n1 killed", nodes: ["n1"], startMs: 5000, endMs: 7000, problem: "n1 did not answer init" },
          {
            kind: "transfer",
            description: "n2 asked to hand leadership over: refused, error 11 (n2 does not lead)",
            nodes: ["n2"],
            startMs: 7500,
            endMs: 7510,
            transfer: { node: "n2", to: null, outcome: "refused", code: 11, text: "n2 does not lead" }
          },
          {
            kind: "membership",
            description: "n0 asked to remove n1: installed, voters [n0 n2]",
            nodes: ["n0", "n1"],
            startMs: 8000,
            endMs: 8100,
            membership: { node: "n0", change: { type: "remove_member", node: "n1" }, outcome: "installed", voters: ["n0", "n2"],
              learners: [] }
          },
          {
            kind: "membership",
            description: "every node made a voter again, try 40: n2 asked to reconfigure to voters [n0 n1 n2]: indeterminate, error 0",
            nodes: ["n1"],
            startMs: 9000,
            endMs: 29_000,
            problem: "the membership nemesis could not make every node a voter again within 20 s (40 tries)",
            membership: {
              node: "n2",
              change: { type: "reconfigure", voters: ["n0", "n1", "n2"], learners: [] },
              tries: 40,
              outcome: "indeterminate",
              code: 0,
              text: ""
            }
          }
        ]
      },
      { latency: "<svg></svg>", rate: "<svg></svg>" },
      processNodes(history)
    )
    const rows = [...faulted.matchAll(/<tr><td>([^<]*)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><\/tr>/g)]
    expect(rows.map((r) => r.slice(1))).toEqual([
      ["1.5 s", "4.3 s", "partition", "isolate one [n0] | [n1 n2]", "healed"],
      ["5.0 s", "7.0 s", "kill", "n1 killed", "n1 did not answer init"],
      ["7.5 s", "7.5 s", "transfer", "n2 asked to hand leadership over: refused, error 11 (n2 does not lead)", "refused"],
      ["8.0 s", "8.1 s", "membership", "n0 asked to remove n1: installed, voters [n0 n2]", "installed"],
      [
        "9.0 s",
        "29.0 s",
        "membership",
        "every node made a voter again, try 40: n2 asked to reconfigure to voters [n0 n1 n2]: indeterminate, error 0",
        "the membership nemesis could not make every node a voter again within 20 s (40 tries)"
      ]
    ])
  })
})
