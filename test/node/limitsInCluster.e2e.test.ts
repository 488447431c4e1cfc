import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { nested } from "../support/nestedJson.js"
import { ProcessCluster } from "../support/ProcessCluster.js"

/**
 * Values at the limits a node accepts must travel everywhere a value goes:
 * forwards, AppendEntries batches, the durable log and its replay on restart.
 */
describe("bin/raft, 3 nodes with --data-dir: values at the limits replicate and survive a restart", () => {
  const ids = ["n1", "n2", "n3"]
  const dataDir = mkdtempSync(join(tmpdir(), "raft-limits-"))
  const start = () => new ProcessCluster(ids, () => ["--data-dir", dataDir])
  const deepest = nested(100, "deepest-value-marker")
  const largest = "z".repeat(1000 * 1000)
  let cluster: ProcessCluster

  beforeAll(async () => {
    cluster = start()
    await cluster.init()
  })
  afterAll(async () => {
    await cluster.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  const readEverywhere = async (key: unknown) => {
    const values = []
    for (const id of ids) values.push((await cluster.node(id).requestWhenReady({ type: "read", key }, id)).value)
    return values
  }

  it("stores a value 100 levels deep and one of 1 MB, readable through every node", async () => {
    await cluster.node("n1").requestWhenReady({ type: "read", key: "leader?" }, "n1")
    for (const id of ids) {
      expect(await cluster.node(id).request({ type: "write", key: `deep-${id}`, value: deepest }, "c1", id)).toMatchObject({
        type: "write_ok"
      })
    }
    expect(await cluster.node("n2").request({ type: "write", key: deepest, value: largest }, "c1", "n2")).toMatchObject({
      type: "write_ok"
    })
    expect(await readEverywhere("deep-n3")).toEqual([deepest, deepest, deepest])
    expect(await readEverywhere(deepest)).toEqual([largest, largest, largest])
  })

  it("refuses deeper values at every node, and every node lives", async () => {
    for (const id of ids) {
      const node = cluster.node(id)
      expect(await node.request({ type: "write", key: 1, value: nested(101, "x") }, "c1", id)).toMatchObject({ type: "error", code: 12 })
      expect(await node.request({ type: "write", key: nested(1250, "x"), value: 1 }, "c1", id)).toMatchObject({ type: "error", code: 12 })
    }
    for (const node of cluster.nodes.values()) expect(node.alive).toBe(true)
  })

  it("holds the values in every node's log file", async () => {
    const holdsAll = () =>
      ids.every((id) => readFileSync(join(dataDir, `${id}.log`), "utf8").split("deepest-value-marker").length - 1 === 4)
    for (let i = 0; i < 50 && !holdsAll(); i++) await new Promise((r) => setTimeout(r, 100))
    expect(holdsAll()).toBe(true)
  })

  it("replays them after every node restarts on its data dir", async () => {
    await cluster.stop()
    for (const node of cluster.nodes.values()) expect(node.exitCode).toBe(0)
    cluster = start()
    await cluster.init()
    expect(await readEverywhere("deep-n1")).toEqual([deepest, deepest, deepest])
    expect(await readEverywhere(deepest)).toEqual([largest, largest, largest])
    for (const node of cluster.nodes.values()) {
      expect(node.alive).toBe(true)
      expect(node.invalidLines).toEqual([])
    }
  })
})
