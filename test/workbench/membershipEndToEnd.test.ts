import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { runWorkbench, testRun } from "./workbenchRun.js"

// These spawn the compiled workbench and real node processes: run `npm run build` first.

describe("the membership nemesis, end to end", () => {
  it("changes our Raft cluster's membership alongside transfers, partitions and kills, lists each change, and makes every node a voter again", async () => {
    const run = await runWorkbench(testRun({
      bin: "bin/raft",
      nodeCount: 3,
      concurrency: "2n",
      rate: 50,
      timeLimit: 12,
      nemesis: "membership,transfer,partition,kill",
      // Four kinds striking every half second left 3 nodes too little time to complete any cas in one CI run of 10 s.
      nemesisInterval: 1.5,
      seed: 3,
      nodeArgs: ["--data-dir", "data"]
    }))
    expect(run.stdout, `${run.stdout}\n${run.stderr.slice(-3000)}`).toContain("Everything looks good!")
    expect(run.exitCode).toBe(0)
    const results = run.results()
    expect(results.crashes).toEqual([])
    for (const kind of ["transfer", "partition", "kill"]) expect(results.faults.some((fault) => fault.kind === kind)).toBe(true)
    const changes = results.faults.filter((fault) => fault.kind === "membership")
    const strikes = changes.slice(0, -1)
    expect(strikes.length).toBeGreaterThan(3)
    for (const strike of strikes) {
      const membership = strike.membership!
      expect(membership.members).toBeDefined()
      expect(strike.nodes[0]).toBe(membership.node)
      expect(strike.description).toMatch(
        /^n\d asked to (add n\d|remove n\d|reconfigure to voters \[[n\d ]+\](, learners \[[n\d ]+\])?): (installed, voters \[[n\d ]+\]|(refused|indeterminate), error \d+)/
      )
      if (membership.outcome === "installed") expect(membership.voters.length).toBeGreaterThan(0)
    }
    // Which strikes are installed varies from run to run (under these faults most are refused or indeterminate);
    // the final heal ran, since some strike may have changed something, and made every node a voter.
    const finalHeal = changes.at(-1)!
    expect(finalHeal.problem).toBeUndefined()
    expect(finalHeal.membership).toMatchObject({ outcome: "installed", voters: expect.arrayContaining(["n0", "n1", "n2"]), learners: [] })
    expect(finalHeal.description).toMatch(/^every node made a voter again, try \d+: /)
    expect(run.stdout).toMatch(/ {2}faults: \d+ partition, \d+ kill, \d+ transfer, \d+ membership\n/)
    const report = readFileSync(join(run.storeDir, "latest", "report.html"), "utf8")
    expect(report).toContain(`<td>membership</td><td>${strikes[0]!.description}</td><td>${strikes[0]!.membership!.outcome}</td>`)
  })

  it("lists every change indeterminate when the node never answers, and the test is invalid: the cluster may be left shrunk", async () => {
    const run = await runWorkbench(testRun({
      bin: "test/workbench/fixtures/no-membership-kv-node.mjs",
      concurrency: "2",
      rate: 50,
      timeLimit: 4,
      nemesis: "membership",
      nemesisInterval: 0.5,
      seed: 1
    }))
    expect(run.exitCode, run.stderr.slice(-3000)).toBe(1)
    const results = run.results()
    expect(results.linearizability.verdict).toBe("valid")
    const changes = results.faults
    expect(changes.length).toBeGreaterThan(2)
    for (const change of changes) {
      expect(change.kind).toBe("membership")
      expect(change.membership).toMatchObject({ node: "n0", outcome: "indeterminate", code: 0, text: "no reply within 1000 ms" })
    }
    for (const strike of changes.slice(0, -1)) {
      expect(strike.membership!.members).toEqual({ node: "n0", answered: false, voters: ["n0"], learners: [] })
      expect(strike.endMs - strike.startMs).toBeGreaterThanOrEqual(2000)
    }
    // How many tries fit in the 20 s depends on how fast the machine turns each one round.
    const problem = changes.at(-1)!.problem!
    expect(problem).toMatch(
      /^the membership nemesis could not make every node a voter again within 20 s \(\d+ tries\); the last: n0 asked to reconfigure to voters \[n0\]: indeterminate, error 0 \(no reply within 1000 ms\)$/
    )
    expect(results.problems).toEqual([problem])
    expect(run.stdout).toContain(`  ${problem}\n`)
  }, 60_000)
})
