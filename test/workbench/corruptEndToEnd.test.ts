import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { runWorkbench } from "./workbenchRun.js"

// These spawn the compiled workbench and real node processes: run `npm run build` first.

describe("the corrupt nemesis, end to end", () => {
  it("finds a node that keeps its data without checksums invalid once its file is cut short", async () => {
    // The fixture survives kills (it fsyncs each change before answering); seed 3's first corrupt
    // strike, at about 1.5 s, cuts the end off n0's file, and with it writes n0 acknowledged.
    const run = await runWorkbench([
      "test",
      "--bin",
      "test/workbench/fixtures/unchecked-file-kv-node.mjs",
      "--node-count",
      "3",
      "--concurrency",
      "2n",
      "--rate",
      "100",
      "--time-limit",
      "4",
      "--nemesis",
      "corrupt",
      "--nemesis-interval",
      "1",
      "--seed",
      "3",
      "--",
      "--data-dir",
      "data"
    ])
    expect(run.stdout, run.stderr.slice(-3000)).toContain("Analysis invalid!")
    expect(run.exitCode).toBe(1)
    const results = run.results()
    expect(results.crashes).toEqual([])
    const strikes = results.faults.filter((fault) => fault.kind === "corrupt")
    expect(strikes.length).toBeGreaterThan(0)
    expect(strikes.every((fault) => fault.nodes.length === 1 && fault.problem === undefined)).toBe(true)
    const cut = strikes[0]!
    expect(cut.nodes).toEqual(["n0"])
    expect(cut.corruptions).toEqual([{
      node: "n0",
      kind: "truncate",
      directory: "data",
      files: [{ file: "data/kv.jsonl", offset: expect.any(Number), bytes: expect.any(Number) }]
    }])
    const { bytes, offset } = cut.corruptions![0]!.files[0]!
    expect(cut.description).toBe(`n0 killed, data/kv.jsonl cut to ${offset} bytes (${bytes} dropped)`)
    // A read after the restart misses a write acknowledged before the cut.
    const lost = results.linearizability.keys.find((key) => key.verdict === "invalid")?.explanation
    expect(lost?.failedOperation).toMatchObject({ f: "read", outcome: "ok" })
    expect(lost!.failedOperation.invokeTime / 1e6).toBeGreaterThan(cut.startMs)
    expect(run.stdout).toContain(`  faults: ${strikes.length} corrupt\n`)
    expect(run.stdout).toContain(cut.description)
    expect(readFileSync(join(run.storeDir, "latest", "report.html"), "utf8")).toContain(`<td>corrupt</td><td>${cut.description}</td>`)
  })

  it("judges our Raft node valid when a node's log is cut short, bit-flipped or wiped, with --data-dir", async () => {
    const run = await runWorkbench([
      "test",
      "--bin",
      "bin/raft",
      "--node-count",
      "3",
      "--concurrency",
      "2n",
      "--rate",
      "100",
      "--time-limit",
      "5",
      "--nemesis",
      "corrupt",
      "--nemesis-interval",
      "1",
      "--seed",
      "4",
      "--",
      "--data-dir",
      "data"
    ])
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
