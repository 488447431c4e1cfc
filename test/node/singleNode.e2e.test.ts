import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { NodeProcess, raftBin } from "../support/NodeProcess.js"

/** bin/raft as a real process, started from the temp directory, as a one-node cluster. */
describe("bin/raft, one node, end to end", () => {
  let node: NodeProcess

  beforeAll(() => {
    node = new NodeProcess(raftBin)
  })
  afterAll(() => node.stop())

  it("answers requests before init with error 11", async () => {
    expect(await node.request({ type: "read", key: 1 })).toMatchObject({ type: "error", code: 11 })
  })

  it("answers init with init_ok", async () => {
    expect(await node.request({ type: "init", node_id: "n1", node_ids: ["n1"] })).toEqual({
      type: "init_ok",
      in_reply_to: expect.any(Number)
    })
  })

  it("writes, reads and compares-and-sets through its log", async () => {
    expect(await node.requestWhenReady({ type: "read", key: 1 })).toMatchObject({ type: "error", code: 20 })
    expect(await node.request({ type: "write", key: 1, value: 5 })).toMatchObject({ type: "write_ok" })
    expect(await node.request({ type: "read", key: 1 })).toMatchObject({ type: "read_ok", value: 5 })
    expect(await node.request({ type: "cas", key: 1, from: 5, to: 7 })).toMatchObject({ type: "cas_ok" })
    expect(await node.request({ type: "cas", key: 1, from: 5, to: 9 })).toMatchObject({
      type: "error",
      code: 22,
      text: "expected key 1 to be 5, but it is 7"
    })
    expect(await node.request({ type: "cas", key: 2, from: 5, to: 7 })).toMatchObject({ type: "error", code: 20 })
    expect(await node.request({ type: "read", key: 1 })).toMatchObject({ type: "read_ok", value: 7 })
  })

  it("survives garbage: not JSON is skipped, malformed requests get 12, unknown types 10", async () => {
    node.writeLine("this is not json")
    node.writeLine("{\"src\": \"c1\"")
    node.writeLine("{\"src\":\"c1\",\"dest\":\"n1\",\"body\":{\"msg_id\":9001}}")
    node.writeLine("{\"src\":\"c1\",\"dest\":\"n1\",\"body\":{\"type\":\"write_ok\",\"in_reply_to\":424242}}")
    expect(await node.request({ type: "write", key: 1 })).toMatchObject({ type: "error", code: 12,
      text: "malformed write: value: is missing" })
    expect(await node.request({ type: "cas", key: 1, from: 7 })).toMatchObject({ type: "error", code: 12 })
    expect(await node.request({ type: "frobnicate", key: 1 })).toMatchObject({ type: "error", code: 10 })
    // The state survived: the last value is still there and the node still serves.
    expect(await node.request({ type: "read", key: 1 })).toMatchObject({ type: "read_ok", value: 7 })
    expect(node.received.find((m) => m.body.in_reply_to === 9001)?.body).toMatchObject({ type: "error", code: 12 })
    expect(node.alive).toBe(true)
    expect(node.stderr.some((line) => line.includes("malformed message skipped"))).toBe(true)
    expect(node.stderr.some((line) => line.includes("reply to an unknown msg_id 424242"))).toBe(true)
  })

  it("prints nothing but protocol messages on stdout", () => {
    for (const message of node.received) {
      expect(Object.keys(message).sort()).toEqual(["body", "dest", "src"])
      expect(typeof message.body.type).toBe("string")
    }
  })

  it("exits cleanly when stdin closes", async () => {
    await node.stop()
    expect(node.exitCode).toBe(0)
  })
})
