import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { runWorkbench, testRun } from "./workbenchRun.js"

// These spawn the compiled workbench and real node processes: run `npm run build` first.

describe("the corrupt nemesis, end to end", () => {
  it("finds a node that keeps its data without checksums invalid once its data directory is wiped", async () => {
    // The fixture survives kills (it fsyncs each change before answering). Seed 10's strikes (a stream
    // of their own): n0's directory wiped at about 1.7 s and again at about 5 s, n2's (empty) file
    // between. After a wipe, a read of a key written before finds it absent, which nothing explains,
    // unless a write to the key comes first; four key groups (8n clients) give each wipe four keys
    // to be caught on (2 or 3 of the 4 were, in each of 4 runs). A cut or a flipped bit is caught
    // less surely in a short test: a stale value of 0 to 4 may be explained by a write of the same
    // value left indeterminate while n0 was down, and a random bit seldom lands on a value still read.
    const run = await runWorkbench(testRun({
      bin: "test/workbench/fixtures/unchecked-file-kv-node.mjs",
      nodeCount: 3,
      concurrency: "8n",
      rate: 100,
      timeLimit: 6,
      nemesis: "corrupt",
      nemesisInterval: 1,
      seed: 10,
      nodeArgs: ["--data-dir", "data"]
    }))
    expect(run.stdout, run.stderr.slice(-3000)).toContain("Analysis invalid!")
    expect(run.exitCode).toBe(1)
    const results = run.results()
    expect(results.crashes).toEqual([])
    const strikes = results.faults.filter((fault) => fault.kind === "corrupt")
    expect(strikes.length).toBeGreaterThan(0)
    expect(strikes.every((fault) => fault.nodes.length === 1 && fault.problem === undefined)).toBe(true)
    const wipe = strikes[0]!
    expect(wipe.nodes).toEqual(["n0"])
    expect(wipe.corruptions).toEqual([{
      node: "n0",
      kind: "wipe",
      directory: "data",
      files: [{ file: "data/kv.jsonl", offset: 0, bytes: expect.any(Number) }]
    }])
    const { bytes } = wipe.corruptions![0]!.files[0]!
    expect(bytes).toBeGreaterThan(0)
    expect(wipe.description).toBe(`n0 killed, data wiped (1 file, ${bytes} bytes)`)
    // A read after the restart finds absent a key written before the wipe.
    const lost = results.linearizability.keys.find((key) => key.verdict === "invalid")?.explanation
    expect(lost?.failedOperation).toMatchObject({ f: "read", value: null, outcome: "ok" })
    expect(lost!.failedOperation.invokeTime / 1e6).toBeGreaterThan(wipe.startMs)
    expect(run.stdout).toContain(`  faults: ${strikes.length} corrupt\n`)
    expect(run.stdout).toContain(wipe.description)
    expect(readFileSync(join(run.storeDir, "latest", "report.html"), "utf8")).toContain(`<td>corrupt</td><td>${wipe.description}</td>`)
  })

  it("judges our Raft node valid under the corrupt nemesis, a node at a time, with --data-dir", async () => {
    const run = await runWorkbench(testRun({
      bin: "bin/raft",
      nodeCount: 3,
      concurrency: "2n",
      rate: 100,
      timeLimit: 4,
      nemesis: "corrupt",
      nemesisInterval: 0.7,
      seed: 4,
      nodeArgs: ["--data-dir", "data"]
    }))
    expect(run.stdout, `${run.stdout}\n${run.stderr.slice(-3000)}`).toContain("Everything looks good!")
    const results = run.results()
    expect(results.crashes).toEqual([])
    const strikes = results.faults.filter((fault) => fault.kind === "corrupt")
    expect(strikes.length).toBeGreaterThan(0)
    expect(strikes.flatMap((fault) => fault.corruptions!).some((c) => c.files.length > 0)).toBe(true)
  })

  it("refuses --nemesis corrupt without a data directory, with exit code 2, before starting anything", async () => {
    const none = await runWorkbench(["test", "--bin", "bin/raft", "--node-count", "3", "--nemesis", "kill,corrupt"])
    expect(none.exitCode).toBe(2)
    expect(none.stderr).toContain("--nemesis corrupt damages the files in each node's data directory, but the node's arguments name none")
  })
})
