import { execFile } from "node:child_process"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { repoRoot } from "../support/NodeProcess.js"

/**
 * Runs the built simulator's command line (npm run build first: its worker
 * threads load dist/sim/seedWorker.js), without blocking the test worker.
 */
const sim = (...args: Array<string>) =>
  new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    execFile("node", [path.join(repoRoot, "dist/sim/main.js"), ...args],
      (error, out, err) => resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, out, err }))
  })

/** The output without the real seconds it took, which differ from run to run. */
const withoutTimings = (text: string) => text.replace(/\d+(\.\d+)? s\b/g, "S s")

describe("npm run sim: worker threads and shards", () => {
  it("reports the same results in seed order on 1 worker and on 2", async () => {
    // A broken node, so that failing seeds (with their traces and replay commands) are compared too.
    const args = ["--seeds", "5", "--first-seed", "3", "--duration", "1", "--broken", "followers-serve-reads", "--keep-going",
      "--trace-lines", "5"]
    const one = await sim(...args, "--workers", "1")
    const two = await sim(...args, "--workers", "2")
    expect(one.err).toContain("on 1 worker threads")
    expect(two.err).toContain("on 2 worker threads")
    expect(one.out).toMatch(/^failing seeds: 3 4 5 6 7 /m)
    expect(one.out).toMatch(/Replay: npm run sim -- --seed \d+ /)
    expect(withoutTimings(two.out)).toEqual(withoutTimings(one.out))
    expect(two.code).toBe(one.code)
  }, 120_000)

  it("runs only its shard of the range", async () => {
    const run = await sim("--seeds", "5", "--first-seed", "11", "--shard", "2/2", "--duration", "0.5", "--workers", "2")
    expect(run.err).toContain("running 3 seeds from 13 (shard 2/2 of 5 seeds from 11)")
    expect(run.out).toMatch(/^all 3 seeds passed/m)
    expect(run.code).toBe(0)
  }, 120_000)

  it("runs a named pressure scenario with its own nodes and faults", async () => {
    const run = await sim("--scenario", "divergent-snapshot", "--seeds", "1", "--duration", "0.5", "--workers", "1")
    expect(run.err).toContain("5 nodes, faults diverge")
    expect(run.out).toMatch(/^all 1 seeds passed/m)
    expect(run.code).toBe(0)
  }, 120_000)

  it.each([
    [["--shard", "3/2"], "--shard 3/2: I must be between 1 and N"],
    [["--shard", "two"], "--shard must be I/N"],
    [["--seeds", "3", "--shard", "1/4"], "more slices than the 3 seeds"],
    [["--workers", "0"], "--workers must be at least 1, not 0"],
    [["--seeds", "0"], "--seeds must be at least 1"],
    [["--seed", "4", "--workers", "2"], "--seed replays one seed"],
    [["--faults", "partition,membership,wipe"], "membership cannot run with wipe: Raft survives lost storage on a minority of the voters"],
    [["--swarm", "--scenario", "read-churn"], "it does not go with --swarm"]
  ])("refuses %j with a message and exit code 2", async (args, message) => {
    const run = await sim(...args)
    expect(run.err).toContain(message)
    expect(run.code).toBe(2)
    expect(run.out).toBe("")
  })
})
