import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { NodeProcess, peersOfANewCluster, raftBin } from "../support/NodeProcess.js"
import { nested, nestedArrayText } from "../support/nestedJson.js"

/** No line on stdin may crash bin/raft, silence it, or make it obey a stranger. */

/** Starts n1 and sends it init; a one-node cluster is also waited for until it leads. */
const startNode = async (nodeIds: ReadonlyArray<string> = ["n1"]) => {
  const node: NodeProcess = new NodeProcess(raftBin, { route: peersOfANewCluster(() => node) })
  expect(await node.request({ type: "init", node_id: "n1", node_ids: nodeIds })).toMatchObject({ type: "init_ok" })
  if (nodeIds.length === 1) await node.requestWhenReady({ type: "read", key: "never written" })
  return node
}

const noReplyWithin = async (node: NodeProcess, msgId: number, ms: number) => {
  await new Promise((r) => setTimeout(r, ms))
  return !node.received.some((m) => m.body?.in_reply_to === msgId)
}

describe("bin/raft refuses values too deep or too large, and keeps serving", () => {
  let node: NodeProcess
  beforeAll(async () => {
    node = await startNode()
  })
  afterAll(() => node.stop())

  it("answers a write nested 1250 levels deep with error 12 naming the limit", async () => {
    const reply = await node.request({ type: "write", key: 1, value: nested(1250, "deep") })
    expect(reply).toMatchObject({ type: "error", code: 12 })
    expect(reply.text).toContain("deeper than 128 levels")
    const key = await node.request({ type: "write", key: nested(1250, "deep"), value: 1 })
    expect(key).toMatchObject({ type: "error", code: 12 })
    expect(await node.request({ type: "write", key: 1, value: 2 })).toMatchObject({ type: "write_ok" })
    expect(node.alive).toBe(true)
  })

  it("refuses keys and values deeper than 100 levels, and stores one exactly 100 deep", async () => {
    const tooDeep = await node.request({ type: "cas", key: 1, from: 2, to: nested(101, "x") })
    expect(tooDeep).toMatchObject({ type: "error", code: 12,
      text: "malformed cas: to nests 101 levels of arrays and objects; the limit is 100" })
    const deepest = nested(100, "x")
    expect(await node.request({ type: "write", key: deepest, value: deepest })).toMatchObject({ type: "write_ok" })
    expect(await node.request({ type: "read", key: deepest })).toEqual({ type: "read_ok", value: deepest, in_reply_to: expect.any(Number) })
  })

  it("refuses a request larger than 1 MiB as JSON, and stores one just under it", async () => {
    const big = await node.request({ type: "write", key: 2, value: "x".repeat(1024 * 1024) })
    expect(big).toMatchObject({ type: "error", code: 12 })
    expect(big.text).toMatch(/^malformed write: the request is \d+ bytes as JSON; the limit is 1048576$/)
    expect(await node.request({ type: "read", key: 2 })).toMatchObject({ type: "error", code: 20 })
    const value = "y".repeat(1000 * 1000)
    expect(await node.request({ type: "write", key: 2, value })).toMatchObject({ type: "write_ok" })
    expect((await node.request({ type: "read", key: 2 })).value).toBe(value)
  })
})

describe("bin/raft: no line silences the reader, and stdin's end always ends the node", () => {
  const badLines: ReadonlyArray<readonly [string, string]> = [
    ["an array nested 100,000 levels", nestedArrayText(100_000)],
    ["a message nested 100,000 levels",
      `{"src":"c1","dest":"n1","body":{"type":"write","msg_id":77,"key":1,"value":${nestedArrayText(100_000)}}}`],
    ["a msg_id of 2^53+1", `{"src":"c1","dest":"n1","body":{"type":"read","key":1,"msg_id":9007199254740993}}`],
    ["an in_reply_to of 2^53+1", `{"src":"c1","dest":"n1","body":{"type":"read_ok","in_reply_to":9007199254740993}}`]
  ]

  for (const [name, line] of badLines) {
    it(`after ${name}: still answers, then exits within a second of stdin closing`, async () => {
      const node = await startNode()
      node.writeLine(line)
      expect(await node.request({ type: "write", key: 1, value: 3 })).toMatchObject({ type: "write_ok" })
      node.writeLine(line)
      node.process.stdin.end()
      expect(await node.exitWithin(1000)).toBe(0)
      expect(node.received.some((m) => m.body.in_reply_to === 9007199254740993 || m.body.in_reply_to === 9007199254740992)).toBe(false)
      expect(node.invalidLines).toEqual([])
    })
  }

  it("answers a too-deep message that names its sender with error 12", async () => {
    const node = await startNode()
    node.writeLine(badLines[1]![1])
    await new Promise((r) => setTimeout(r, 300))
    expect(node.received.find((m) => m.body.in_reply_to === 77)).toMatchObject({
      src: "n1",
      dest: "c1",
      body: { type: "error", code: 12, text: "the message nests arrays and objects deeper than 128 levels" }
    })
    node.process.stdin.end()
    expect(await node.exitWithin(1000)).toBe(0)
  })

  it("exits within a second of stdin closing before init, after a bad line", async () => {
    const node = new NodeProcess(raftBin)
    node.writeLine(badLines[0]![1])
    node.writeLine(badLines[2]![1])
    expect(await node.request({ type: "read", key: 1 })).toMatchObject({ type: "error", code: 11 })
    node.process.stdin.end()
    expect(await node.exitWithin(1000)).not.toBeNull()
  })
})

describe("bin/raft obeys only what is addressed to it, and Raft only from members", () => {
  let node: NodeProcess
  beforeAll(async () => {
    node = await startNode()
  })
  afterAll(() => node.stop())

  it("drops a request addressed to another node, unanswered and not executed", async () => {
    node.writeLine(JSON.stringify({ src: "c1", dest: "n2", body: { type: "write", key: 5, value: 1, msg_id: 901 } }))
    expect(await noReplyWithin(node, 901, 500)).toBe(true)
    expect(await node.request({ type: "read", key: 5 })).toMatchObject({ type: "error", code: 20 })
    expect(node.stderr.some((line) => line.includes("write from c1 to n2 dropped: this node is n1"))).toBe(true)
  })

  it("refuses append_entries from a client, and keeps leading", async () => {
    const reply = await node.request({
      type: "append_entries",
      term: 999999,
      leader_id: "c1",
      prev_log_index: 0,
      prev_log_term: 0,
      entries: [],
      leader_commit: 0
    })
    expect(reply).toMatchObject({ type: "error", code: 10 })
    expect(reply.text).toBe("append_entries is accepted only from the other cluster members (), not from c1")
    expect(await node.request({ type: "write", key: 6, value: 1 })).toMatchObject({ type: "write_ok" })
    expect(node.stderr.some((line) => line.includes("term 999999"))).toBe(false)
  })

  it("refuses a forward from a client", async () => {
    const reply = await node.request({ type: "forward", term: 1, session: "c1:1", serial: 1, request: { type: "write", key: 7, value: 1 } })
    expect(reply).toMatchObject({ type: "error", code: 10 })
    expect(await node.request({ type: "read", key: 7 })).toMatchObject({ type: "error", code: 20 })
  })
})

describe("bin/raft in a cluster: votes only for members speaking for themselves", () => {
  let node: NodeProcess
  beforeAll(async () => {
    node = await startNode(["n1", "n2", "n3"])
  })
  afterAll(() => node.stop())

  const vote = (term: number, candidate: string) => ({
    type: "request_vote",
    term,
    candidate_id: candidate,
    last_log_index: 0,
    last_log_term: 0,
    pre_vote: false
  })

  it("refuses request_vote from a client", async () => {
    const reply = await node.request(vote(5, "c1"))
    expect(reply).toMatchObject({ type: "error", code: 10 })
    expect(reply.text).toBe("request_vote is accepted only from the other cluster members (n2, n3), not from c1")
  })

  it("refuses request_vote and append_entries whose candidate or leader is not the sender", async () => {
    expect(await node.request(vote(6, "n3"), "n2")).toMatchObject({
      type: "error",
      code: 12,
      text: "malformed request_vote: candidate_id n3 is not its sender n2"
    })
    const append = { type: "append_entries", term: 7, leader_id: "n3", prev_log_index: 0, prev_log_term: 0, entries: [], leader_commit: 0 }
    expect(await node.request(append, "n2")).toMatchObject({
      type: "error",
      code: 12,
      text: "malformed append_entries: leader_id n3 is not its sender n2"
    })
  })

  it("grants a vote to a member asking for itself", async () => {
    expect(await node.request(vote(1000, "n2"), "n2")).toMatchObject({ type: "request_vote_result", term: 1000, vote_granted: true })
  })
})

describe("bin/raft refuses an init that does not describe a cluster it belongs to", () => {
  let node: NodeProcess
  beforeAll(() => {
    node = new NodeProcess(raftBin)
  })
  afterAll(() => node.stop())

  it("answers error 12 and keeps waiting for a valid init", async () => {
    expect(await node.request({ type: "init", node_id: "n1", node_ids: ["n2", "n3"] })).toMatchObject({
      type: "error",
      code: 12,
      text: "bad init: node_ids [\"n2\",\"n3\"] does not contain node_id \"n1\""
    })
    expect(await node.request({ type: "init", node_id: "n1", node_ids: [] })).toMatchObject({ type: "error", code: 12 })
    expect(await node.request({ type: "init", node_id: "n1", node_ids: ["n1", "n2", "n1"] })).toMatchObject({
      type: "error",
      code: 12,
      text: "bad init: node_ids [\"n1\",\"n2\",\"n1\"] names \"n1\" twice"
    })
    expect(await node.request({ type: "read", key: 1 })).toMatchObject({ type: "error", code: 11 })
    expect(await node.request({ type: "init", node_id: "n1", node_ids: ["n1"] })).toMatchObject({ type: "init_ok" })
    expect(await node.requestWhenReady({ type: "read", key: 1 })).toMatchObject({ type: "error", code: 20 })
  })
})
