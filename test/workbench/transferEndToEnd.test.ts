import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { runWorkbench, testRun } from "./workbenchRun.js"

// These spawn the compiled workbench and real node processes: run `npm run build` first.

describe("the transfer nemesis, end to end", () => {
  it("asks our Raft node to hand leadership over, and lists each strike with its outcome", async () => {
    const run = await runWorkbench(testRun({
      bin: "bin/raft",
      nodeCount: 3,
      concurrency: "2n",
      rate: 50,
      timeLimit: 5,
      nemesis: "transfer",
      nemesisInterval: 0.5,
      seed: 3
    }))
    expect(run.stdout, `${run.stdout}\n${run.stderr.slice(-3000)}`).toContain("Everything looks good!")
    expect(run.exitCode).toBe(0)
    const strikes = run.results().faults
    expect(strikes.length).toBeGreaterThan(3)
    for (const strike of strikes) {
      expect(strike.kind).toBe("transfer")
      expect(strike.transfer).toBeDefined()
      expect(strike.nodes).toEqual([strike.transfer!.node])
      expect(strike.description).toMatch(
        /^n\d asked to hand leadership (over|to n\d): (installed, n\d leads|(refused|indeterminate), error \d+)/
      )
    }
    // With no other fault, a hand-over to a level voter completes in well under the nemesis interval.
    const leaders = strikes.flatMap((strike) => strike.transfer!.outcome === "installed" ? [strike.transfer!.leader] : [])
    expect(leaders.length).toBeGreaterThan(0)
    for (const leader of leaders) expect(["n0", "n1", "n2"]).toContain(leader)
    expect(run.stdout).toMatch(/ {2}faults: \d+ transfer\n/)
    expect(run.stdout).toContain(`s: ${strikes[0]!.description}\n`)
    const report = readFileSync(join(run.storeDir, "latest", "report.html"), "utf8")
    expect(report).toContain(`<td>transfer</td><td>${strikes[0]!.description}</td><td>${strikes[0]!.transfer!.outcome}</td>`)
  })

  it("strikes alongside partitions and kills: a hand-over refused while the cluster has no leader or the target is cut off answers error 11", async () => {
    const run = await runWorkbench(testRun({
      bin: "bin/raft",
      nodeCount: 3,
      concurrency: "2n",
      rate: 50,
      timeLimit: 8,
      nemesis: "transfer,partition,kill",
      nemesisInterval: 1,
      seed: 3,
      nodeArgs: ["--data-dir", "data"]
    }))
    expect(run.stdout, `${run.stdout}\n${run.stderr.slice(-3000)}`).toContain("Everything looks good!")
    expect(run.exitCode).toBe(0)
    const results = run.results()
    expect(results.crashes).toEqual([])
    expect(results.faults.some((fault) => fault.kind === "partition")).toBe(true)
    expect(results.faults.some((fault) => fault.kind === "kill")).toBe(true)
    const strikes = results.faults.filter((fault) => fault.kind === "transfer")
    expect(strikes.length).toBeGreaterThan(2)
    const refused = strikes.filter((strike) => strike.transfer!.outcome === "refused")
    expect(refused.length).toBeGreaterThan(0)
    for (const strike of refused) expect(strike.transfer).toMatchObject({ code: 11 })
    expect(run.stdout).toMatch(/ {2}faults: \d+ partition, \d+ kill, \d+ transfer\n/)
  })

  it("lists every strike indeterminate when the node never answers transfer_leadership, and the test stays valid", async () => {
    const run = await runWorkbench(testRun({
      bin: "test/workbench/fixtures/no-transfer-kv-node.mjs",
      concurrency: "2",
      rate: 50,
      timeLimit: 4,
      nemesis: "transfer",
      nemesisInterval: 0.5,
      seed: 1
    }))
    expect(run.stdout, run.stderr.slice(-3000)).toContain("Everything looks good!")
    const strikes = run.results().faults
    expect(strikes.length).toBeGreaterThan(1)
    for (const strike of strikes) {
      expect(strike.kind).toBe("transfer")
      expect(strike.transfer).toMatchObject({ node: "n0", outcome: "indeterminate", code: 0, text: "no reply within 1000 ms" })
      expect(strike.endMs - strike.startMs).toBeGreaterThanOrEqual(1000)
    }
  })
})
