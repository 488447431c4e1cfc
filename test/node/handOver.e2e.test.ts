import { afterAll, describe, expect, it } from "vitest"
import type { NodeProcess } from "../support/NodeProcess.js"
import { ProcessCluster } from "../support/ProcessCluster.js"

describe("bin/raft hands leadership over", () => {
  const cluster = new ProcessCluster(["n1", "n2", "n3"])
  const nodes = cluster.nodes
  afterAll(() => cluster.stop())

  it("to the node an operator names, through any node, and to another member when it is stopped with SIGTERM", async () => {
    await cluster.init()
    const n1 = nodes.get("n1")!
    expect(await n1.requestWhenReady({ type: "write", key: 1, value: 1 }, "n1")).toMatchObject({ type: "write_ok" })
    // Without a target, the leader picks the most up to date other member, and says which leads now.
    const first = await n1.request({ type: "transfer_leadership" }, "operator", "n1")
    expect(first, JSON.stringify(first)).toMatchObject({ type: "transfer_leadership_ok" })
    const leader = first.leader as string
    // Named, and asked of a node that does not lead, which passes it on to the leader.
    const [target, asked] = ["n1", "n2", "n3"].filter((id) => id !== leader).map((id) => nodes.get(id)!) as [NodeProcess, NodeProcess]
    const targetId = ["n1", "n2", "n3"].filter((id) => id !== leader)[0]!
    const moved = await asked.request({ type: "transfer_leadership", to: targetId }, "operator",
      ["n1", "n2", "n3"].filter((id) => id !== leader)[1]!)
    expect(moved, JSON.stringify(moved)).toMatchObject({ type: "transfer_leadership_ok", leader: targetId })
    // A graceful stop of the leader: it hands over before it exits, rather than leaving the others to time out.
    target.process.kill("SIGTERM")
    await target.exitWithin(5000)
    const said = target.stderr.join("\n")
    expect(said).toContain("stopping: handing leadership over first")
    expect(said).toMatch(/stopping: n\d was told to take over/)
    const survivors = [...nodes.entries()].filter(([id]) => id !== targetId).map(([, node]) => node.stderr.join("\n"))
    expect(survivors.some((log) => log.includes(`${targetId} hands leadership over to this node: campaigning now`))).toBe(true)
    const survivor = ["n1", "n2", "n3"].find((id) => id !== targetId)!
    const node = nodes.get(survivor)!
    expect(await node.requestWhenReady({ type: "write", key: 1, value: 2 }, survivor)).toMatchObject({ type: "write_ok" })
    expect(await node.request({ type: "read", key: 1 }, "c1", survivor)).toMatchObject({ type: "read_ok", value: 2 })
  }, 60_000)
})
