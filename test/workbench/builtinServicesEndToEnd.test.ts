import { describe, expect, it } from "vitest"
import { runWorkbench } from "./workbenchRun.js"

// These spawn the compiled workbench and real node processes: run `npm run build` first.

/** A node that keeps nothing and passes every client request on to the built-in service named. */
const proxyTo = (service: string) => ["--bin", "test/workbench/fixtures/service-proxy-node.mjs", "--", service]

describe("the workbench's built-in services, end to end", () => {
  it("answers a node that proxies every request to lin-kv: valid, service messages counted", async () => {
    const run = await runWorkbench([
      "test",
      "-w",
      "lin-kv",
      "--node-count",
      "3",
      "--concurrency",
      "2n",
      "--rate",
      "100",
      "--time-limit",
      "4",
      "--latency",
      "5",
      "--seed",
      "3",
      ...proxyTo("lin-kv")
    ])
    expect(run.stdout, `${run.stdout}\n${run.stderr.slice(-3000)}`).toContain("Everything looks good!")
    expect(run.exitCode).toBe(0)
    const { network, stats } = run.results()
    expect(stats.ok).toBeGreaterThan(50)
    // Every answered operation went to lin-kv and back; nodes sent nothing to each other.
    expect(network.toServices).toBeGreaterThanOrEqual(stats.ok + stats.fail)
    expect(network.fromServices).toBeGreaterThanOrEqual(stats.ok + stats.fail)
    expect(network.nodeToNode).toBe(0)
    expect(stats.messagesPerOperation.serverToServer).toBeGreaterThan(1.5)
  })

  it("finds the same proxy over lww-kv not linearizable: a read misses a write", async () => {
    // One client thread: every operation, and every random choice of the service, comes in an order the
    // seed fixes, so the stale read (history index 34 with this seed) is found on every run.
    const run = await runWorkbench([
      "test",
      "-w",
      "lin-kv",
      "--concurrency",
      "1",
      "--rate",
      "50",
      "--time-limit",
      "3",
      "--seed",
      "1",
      ...proxyTo("lww-kv")
    ])
    expect(run.stdout, `${run.stdout}\n${run.stderr.slice(-3000)}`).toContain("Analysis invalid!")
    expect(run.exitCode).toBe(1)
    const results = run.results()
    const invalid = results.linearizability.keys.filter((key) => key.verdict === "invalid")
    expect(invalid.length).toBeGreaterThan(0)
    expect(invalid[0]!.explanation!.failedOperation.f).toBe("read")
    expect(results.network.toServices).toBeGreaterThanOrEqual(results.stats.ok + results.stats.fail)
  })
})
