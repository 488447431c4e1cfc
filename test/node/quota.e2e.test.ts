import { afterEach, describe, expect, it } from "vitest"
import { NodeProcess, raftBin } from "../support/NodeProcess.js"

describe("bin/raft with --quota-bytes, end to end", () => {
  const nodes: Array<NodeProcess> = []
  afterEach(async () => {
    for (const node of nodes.splice(0)) await node.stop()
  })

  it("refuses the writes that would grow the store past its quota with error 14, serves the rest, and stays up", async () => {
    const node = new NodeProcess(raftBin, { args: ["--quota-bytes", "5000"] })
    nodes.push(node)
    expect(await node.request({ type: "init", node_id: "n1", node_ids: ["n1"] })).toMatchObject({ type: "init_ok" })
    const value = "v".repeat(1000)
    expect(await node.requestWhenReady({ type: "write", key: 0, value })).toMatchObject({ type: "write_ok" })
    // Four pairs of about 1 KB fit in 5,000 bytes; the fifth does not.
    for (let key = 1; key <= 3; key++) expect(await node.request({ type: "write", key, value })).toMatchObject({ type: "write_ok" })
    const refused = await node.request({ type: "write", key: 4, value })
    expect(refused).toMatchObject({ type: "error", code: 14 })
    expect(refused["text"]).toContain("past its quota of 5000 bytes (--quota-bytes)")
    expect(await node.request({ type: "read", key: 4 })).toMatchObject({ type: "error", code: 20 })
    expect(await node.request({ type: "read", key: 3 })).toMatchObject({ type: "read_ok", value })
    expect(await node.request({ type: "write", key: 3, value: 3 })).toMatchObject({ type: "write_ok" })
    expect(await node.request({ type: "write", key: 4, value })).toMatchObject({ type: "write_ok" })
  })
})
