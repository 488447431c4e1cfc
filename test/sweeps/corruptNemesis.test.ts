import { describe, expect, it } from "vitest"
import { runWorkbench } from "../workbench/workbenchRun.js"

// Real node processes under the workbench (`npm run build` first): 20 s of client
// operations each, with every storage fault and kills and partitions besides.

const corruptRun = (nodeCount: number, seed: number) =>
  runWorkbench([
    "test",
    "--bin",
    "bin/raft",
    "--node-count",
    String(nodeCount),
    "--concurrency",
    "2n",
    "--rate",
    "100",
    "--time-limit",
    "20",
    "--nemesis",
    "corrupt,kill,partition",
    "--nemesis-interval",
    "2",
    "--seed",
    String(seed),
    "--",
    "--data-dir",
    "data"
  ])

describe("our Raft node under the workbench's corrupt nemesis, with kills and partitions", () => {
  for (const [nodeCount, seed] of [[3, 11], [5, 12]] as const) {
    it(`is valid on ${nodeCount} nodes, its logs cut short, bit-flipped and wiped`, async () => {
      const run = await corruptRun(nodeCount, seed)
      expect(run.stdout, `${run.stdout}\n${run.stderr.slice(-3000)}`).toContain("Everything looks good!")
      const results = run.results()
      expect(results.crashes).toEqual([])
      const damaged = results.faults.flatMap((fault) => fault.corruptions ?? []).filter((c) => c.files.length > 0)
      expect(damaged.length).toBeGreaterThan(1)
      expect(results.faults.some((fault) => fault.kind === "kill")).toBe(true)
      expect(results.faults.some((fault) => fault.kind === "partition")).toBe(true)
    })
  }
})
