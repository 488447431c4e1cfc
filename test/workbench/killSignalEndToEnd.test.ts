import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { runWorkbench, testRun } from "./workbenchRun.js"

// These spawn the compiled workbench and real node processes: run `npm run build` first.

const stopsOf = async (killSignal: string) => {
  const run = await runWorkbench(testRun({
    bin: "test/workbench/fixtures/term-logging-kv-node.mjs",
    concurrency: "2",
    rate: 20,
    timeLimit: 4,
    nemesis: "kill",
    nemesisInterval: 0.5,
    killSignal,
    seed: 2
  }))
  const results = run.results()
  const log = readFileSync(join(run.storeDir, "latest", "node-logs", "n0.log"), "utf8")
  return { run, results, log }
}

describe("--kill-signal, end to end", () => {
  it("with term, stops the node with SIGTERM and starts it again; with kill (the default), SIGKILLs it", async () => {
    const term = await stopsOf("term")
    const stops = term.results.faults.filter((fault) => fault.kind === "kill")
    expect(stops.length, term.run.stderr.slice(-3000)).toBeGreaterThan(1)
    expect(stops.every((fault) => fault.description === "n0 stopped (SIGTERM)" && fault.problem === undefined)).toBe(true)
    // Each stop was the nemesis', not a crash, and the node came back after each.
    expect(term.results.crashes).toEqual([])
    // The end of the test stops every node with SIGTERM too, once.
    expect(term.log.split("stopping on SIGTERM").length - 1).toBe(stops.length + 1)
    expect(term.run.stdout).toContain("s: n0 stopped (SIGTERM)\n")

    const kill = await stopsOf("kill")
    const kills = kill.results.faults.filter((fault) => fault.kind === "kill")
    expect(kills.length).toBeGreaterThan(1)
    expect(kills.every((fault) => fault.description === "n0 killed")).toBe(true)
    expect(kill.log.split("stopping on SIGTERM").length - 1).toBe(1)
  })
})
