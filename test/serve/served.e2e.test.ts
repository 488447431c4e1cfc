import * as Net from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { execFile } from "node:child_process"
import { resolve } from "node:path"
import { freePort, repoRoot, ServedCluster } from "../support/servedCluster.js"

/** Runs bin/raft to its end: its exit code and what it logged. */
const runRaft = (args: ReadonlyArray<string>): Promise<{ readonly code: number; readonly stderr: string }> =>
  new Promise((resolveRun) =>
    execFile(resolve(repoRoot, "bin/raft"), args, { timeout: 10_000 }, (error, _stdout, stderr) =>
      resolveRun({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stderr }))
  )

/** Writes `data` to host:port, then closes; resolves with whatever came back. */
const sendRaw = (port: number, data: string | Buffer): Promise<string> =>
  new Promise((resolveSent) => {
    const received: Array<Buffer> = []
    const socket = Net.createConnection({ host: "127.0.0.1", port }, () => socket.end(data))
    socket.on("data", (chunk) => received.push(chunk))
    socket.on("error", () => {})
    socket.on("close", () => resolveSent(Buffer.concat(received).toString("utf8")))
    socket.setTimeout(3000, () => socket.destroy())
  })

const httpTo = (port: number, method: string, path: string, body: string) =>
  fetch(`http://127.0.0.1:${port}${path}`, { method, body, headers: { "content-type": "application/json" } })

describe("bin/raft serve: three real processes over TCP and HTTP, driven by bin/kvctl", () => {
  let cluster: ServedCluster
  beforeAll(async () => {
    cluster = await ServedCluster.start()
  })
  afterAll(() => cluster.stop())

  it("writes, reads and compares-and-sets through any node, with kvctl's exit codes", async () => {
    expect(await cluster.awaitLeader(8000)).toBeDefined()
    const put = await ServedCluster.until(3000, () => cluster.kvctl(["put", "greeting", "hello"]), (run) => run.code === 0)
    expect(put, JSON.stringify(put)).toMatchObject({ code: 0, stdout: "OK\n" })
    expect(await cluster.kvctl(["get", "greeting"])).toMatchObject({ code: 0, stdout: "\"hello\"\n" })
    // Through each node in turn: the ones that do not lead pass the request on to the one that does.
    for (const node of cluster.nodes) {
      const response = await fetch(`http://127.0.0.1:${node.clientPort}/kv/greeting`)
      expect(await response.json()).toEqual({ type: "read_ok", value: "hello" })
    }
    expect(await cluster.kvctl(["cas", "greeting", "hello", "[1,2]"])).toMatchObject({ code: 0, stdout: "OK\n" })
    const refused = await cluster.kvctl(["cas", "greeting", "hello", "3"])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain("answered 409: error 22 (definite: it did not happen)")
    const missing = await cluster.kvctl(["get", "nobody", "--json"])
    expect(missing.code).toBe(1)
    expect(JSON.parse(missing.stdout)).toMatchObject({ type: "error", code: 20, definite: true })
    expect((await cluster.kvctl(["get"])).code).toBe(2)
  }, 20_000)

  it("keeps serving after garbage on a peer port and a client port, a frame over the limits, a body too large or deep", async () => {
    const [first, second] = cluster.nodes as [typeof cluster.nodes[0], typeof cluster.nodes[0]]
    await sendRaw(first.peerPort, "garbage\n{\"src\":\"n1\"}\n" + "[".repeat(1000) + "\n\u0000\u00ff\n" + "x".repeat(2_000_000))
    await sendRaw(first.peerPort, "{\"src\":\"intruder\",\"dest\":\"n0\",\"body\":{\"type\":\"forward\",\"msg_id\":1}}\n")
    expect(await sendRaw(second.clientPort, "this is not HTTP\r\n\r\n")).toContain("400")
    const tooLarge = await httpTo(second.clientPort, "PUT", "/kv/big", JSON.stringify({ value: "x".repeat(2 * 1024 * 1024) }))
    expect(tooLarge.status).toBe(413)
    const deep = await httpTo(second.clientPort, "PUT", "/kv/deep", `{"value":${"[".repeat(500)}${"]".repeat(500)}}`)
    expect(deep.status).toBe(400)
    expect(await deep.json()).toMatchObject({ code: 12, definite: true })
    const notJson = await httpTo(second.clientPort, "POST", "/kv/x/cas", "{from: 1}")
    expect(notJson.status).toBe(400)
    expect(await cluster.kvctl(["put", "after-garbage", "1"])).toMatchObject({ code: 0 })
    expect(first.stderr.join("")).toContain("malformed message from")
    expect(first.stderr.join("")).toContain("it claims to come from intruder, not a member")
  }, 20_000)

  it("refuses to start, saying which, when its client or peer port is taken", async () => {
    const taken = cluster.nodes[1]!
    const spare = await freePort()
    const clientPortTaken = await runRaft(["serve", "--id", "n0", "--peers", `n0=127.0.0.1:${spare}`, "--client-port",
      String(taken.clientPort)])
    expect(clientPortTaken.code).toBe(1)
    expect(clientPortTaken.stderr).toContain(`cannot listen for clients on 127.0.0.1:${taken.clientPort}: listen EADDRINUSE`)
    const peerPortTaken = await runRaft(["serve", "--id", "n0", "--peers", `n0=127.0.0.1:${taken.peerPort}`, "--client-port",
      String(spare)])
    expect(peerPortTaken.code).toBe(1)
    expect(peerPortTaken.stderr).toContain(`cannot listen for peers on 127.0.0.1:${taken.peerPort}: listen EADDRINUSE`)
  }, 20_000)

  it("takes a write through another node within a few seconds of the leader's kill -9", async () => {
    const leader = await cluster.leader()
    expect(leader).toBeDefined()
    leader!.process.kill("SIGKILL")
    const killedAt = Date.now()
    // The killed node first among the endpoints: kvctl moves on from it, and from 503s while a new leader is elected.
    const endpoints = [leader!, ...cluster.nodes.filter((node) => node !== leader)].map((node) => `127.0.0.1:${node.clientPort}`)
      .join(",")
    const put = await ServedCluster.until(8000, () => cluster.kvctl(["put", "after-kill", "7"], endpoints), (run) => run.code === 0)
    expect(put, JSON.stringify(put)).toMatchObject({ code: 0, stdout: "OK\n" })
    expect(Date.now() - killedAt).toBeLessThan(8000)
    // (About 3 s on an idle machine: an election, and a first attempt a follower passed on to the dead leader, answered 504.)
    expect(await cluster.kvctl(["get", "after-kill"], endpoints)).toMatchObject({ code: 0, stdout: "7\n" })
    // Restarted, it catches up from the others and its data directory.
    cluster.launch(leader!)
    const caughtUp = await ServedCluster.until(8000, () => cluster.statusOf(leader!), (status) => Number(status?.["applied_index"]) >= 4)
    expect(caughtUp).toMatchObject({ node: leader!.id })
    // kvctl status shows every node, the restarted one among them.
    const status = await cluster.kvctl(["status"])
    expect(status.code).toBe(0)
    expect(status.stdout.split("\n")[0]).toMatch(/^endpoint +node +role +term +leader +commit +applied +log +snapshot$/)
    expect(status.stdout.split("\n").filter((line) => /^\S+ +n\d+ +leader /.test(line)).length, status.stdout).toBe(1)
  }, 25_000)
})
