import { execFile } from "node:child_process"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { resolve } from "node:path"
import { Either, Option } from "effect"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { parseEndpoints } from "../../kvctl/endpoints.js"
import { parseNodeId, reconfigureTarget } from "../../kvctl/membership.js"
import { describeAnswer, describeStatuses } from "../../kvctl/output.js"
import { NoEndpointAnswered } from "../../kvctl/storeCall.js"
import { type KvctlRun, repoRoot, ServedCluster } from "../support/servedCluster.js"

/** Runs bin/kvctl (built by `npm run build`) with these words, to its end. */
const kvctl = (args: ReadonlyArray<string>): Promise<KvctlRun> =>
  new Promise((resolveRun) =>
    execFile(resolve(repoRoot, "bin/kvctl"), args, { timeout: 20_000 }, (error, stdout, stderr) =>
      resolveRun({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr }))
  )

/** A request a fake node got. */
interface Received {
  readonly method: string
  readonly url: string
  readonly body: unknown
}

/**
 * An HTTP server on a loopback port standing in for a node: it records each
 * request and answers with `answer`'s status and body, or never when that
 * gives undefined.
 */
class FakeNode {
  readonly received: Array<Received> = []
  answer: () => { readonly status: number; readonly body: unknown } | undefined = () => undefined
  private constructor(private readonly server: Server) {}

  static start(): Promise<FakeNode> {
    return new Promise((started) => {
      const server = createServer((request: IncomingMessage, response: ServerResponse) => {
        let text = ""
        request.setEncoding("utf8").on("data", (chunk: string) => text += chunk).on("end", () => {
          node.received.push({ method: request.method ?? "", url: request.url ?? "", body: text === "" ? undefined : JSON.parse(text) })
          const answer = node.answer()
          if (answer !== undefined) {
            response.writeHead(answer.status, { "content-type": "application/json" }).end(JSON.stringify(answer.body))
          }
        })
      })
      const node = new FakeNode(server)
      server.listen(0, "127.0.0.1", () => started(node))
    })
  }

  get endpoint(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  stop(): void {
    this.server.closeAllConnections()
    this.server.close()
  }
}

describe("kvctl", () => {
  it("reads endpoints as host:port, an IPv6 host in brackets, and names a bad one", () => {
    expect(parseEndpoints("127.0.0.1:7001, localhost:7002,[::1]:7003")).toEqual(
      Either.right(["127.0.0.1:7001", "localhost:7002", "[::1]:7003"])
    )
    expect(parseEndpoints("127.0.0.1")).toEqual(Either.left("\"127.0.0.1\" is not host:port (a port from 1 to 65535)"))
    expect(parseEndpoints("h:0")).toEqual(Either.left("\"h:0\" is not host:port (a port from 1 to 65535)"))
    expect(parseEndpoints(" , ")).toEqual(Either.left("expected host:port, separated by commas"))
  })

  it("prints a value read as JSON, OK for a write, an error with its code and whether it is definite", () => {
    expect(describeAnswer({ endpoint: "e", status: 200, body: { type: "read_ok", value: "x" } })).toBe("\"x\"")
    expect(describeAnswer({ endpoint: "e", status: 200, body: { type: "write_ok" } })).toBe("OK")
    expect(describeAnswer({ endpoint: "e", status: 504, body: { type: "error", code: 0, text: "t", definite: false } })).toBe(
      "e answered 504: error 0 (indefinite: it may or may not have happened): t"
    )
    expect(
      describeAnswer({ endpoint: "e", status: 200, body: { type: "members_ok", voters: ["n0"], learners: [], leader: null, term: 3 } })
    )
      .toBe("voters: n0\nlearners: -\nleader: none known (term 3)")
  })

  it("prints the configuration a membership change ended with", () => {
    expect(describeAnswer({ endpoint: "e", status: 200, body: { type: "add_member_ok", voters: ["n0", "n1", "n3"], learners: [] } }))
      .toBe("voters: n0, n1, n3\nlearners: -")
    expect(describeAnswer({ endpoint: "e", status: 200, body: { type: "remove_member_ok", voters: ["n0"], learners: ["n1"] } }))
      .toBe("voters: n0\nlearners: n1")
    expect(
      describeAnswer({ endpoint: "e", status: 200, body: { type: "reconfigure_ok", voters: ["n0", "n1", "n2"], learners: ["n3", "n4"] } })
    ).toBe("voters: n0, n1, n2\nlearners: n3, n4")
  })

  it("reads reconfigure's --voters and --learners, and names what cannot be asked", () => {
    expect(reconfigureTarget("n0, n1,n2", Option.some("n3"))).toEqual(Either.right({ voters: ["n0", "n1", "n2"], learners: ["n3"] }))
    expect(reconfigureTarget("n0", Option.none())).toEqual(Either.right({ voters: ["n0"], learners: [] }))
    expect(reconfigureTarget("n0", Option.some(""))).toEqual(Either.right({ voters: ["n0"], learners: [] }))
    expect(reconfigureTarget("", Option.none())).toEqual(Either.left("--voters \"\": a cluster needs at least one voter"))
    expect(reconfigureTarget("n0,,n1", Option.none())).toEqual(
      Either.left("--voters \"n0,,n1\": an id is empty: expected node ids separated by commas, such as n0,n1,n2")
    )
    expect(reconfigureTarget("n0", Option.some("n1,"))).toEqual(
      Either.left("--learners \"n1,\": an id is empty: expected node ids separated by commas, such as n0,n1,n2")
    )
    expect(reconfigureTarget("n0,n1,n0", Option.none())).toEqual(Either.left("--voters \"n0,n1,n0\": n0 is named twice"))
    expect(reconfigureTarget("n0,n1", Option.some("n2,n1"))).toEqual(
      Either.left("n1 is named in both --voters and --learners: a node is one or the other")
    )
    expect(parseNodeId(" n3 ")).toEqual(Either.right("n3"))
    expect(parseNodeId(" ")).toEqual(Either.left("NODE is empty: expected a node id, such as n3"))
  })

  it("prints every endpoint's status as a table, an unreachable one with why", () => {
    const status = { node: "n0", role: "leader", term: 2, leader: "n0", commit_index: 7, applied_index: 7, log_entries: 7,
      snapshot_index: 0 }
    expect(describeStatuses([
      { endpoint: "127.0.0.1:7001", answer: Either.right({ endpoint: "127.0.0.1:7001", status: 200, body: status }) },
      { endpoint: "127.0.0.1:7002", answer: Either.left(new NoEndpointAnswered({ attempts: ["127.0.0.1:7002: ECONNREFUSED"] })) }
    ])).toBe([
      "endpoint        node  role    term  leader  commit  applied  log  snapshot",
      "127.0.0.1:7001  n0    leader  2     n0      7       7        7    0",
      "127.0.0.1:7002  unreachable (ECONNREFUSED)"
    ].join("\n"))
  })
})

describe("bin/kvctl's membership changes against fake nodes", () => {
  let first: FakeNode
  let second: FakeNode
  beforeAll(async () => {
    first = await FakeNode.start()
    second = await FakeNode.start()
  })
  afterEach(() => {
    first.received.length = 0
    second.received.length = 0
  })
  afterAll(() => {
    first.stop()
    second.stop()
  })

  it("refuses a command line that cannot be used with exit 2, saying why, and sends nothing", async () => {
    const endpoints = ["--endpoints", `${first.endpoint},${second.endpoint}`]
    const refusals: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
      [["reconfigure", "--voters", ""], "kvctl: --voters \"\": a cluster needs at least one voter\n"],
      [["reconfigure", "--voters", "n0,,n2"],
        "kvctl: --voters \"n0,,n2\": an id is empty: expected node ids separated by commas, such as n0,n1,n2\n"],
      [["reconfigure", "--voters", "n0,n1", "--learners", "n1"],
        "kvctl: n1 is named in both --voters and --learners: a node is one or the other\n"],
      [["member-add", ""], "kvctl: NODE is empty: expected a node id, such as n3\n"]
    ]
    for (const [args, stderr] of refusals) expect(await kvctl([...args, ...endpoints])).toEqual({ code: 2, stdout: "", stderr })
    expect(await kvctl(["reconfigure", "--learners", "n3", ...endpoints])).toMatchObject({ code: 2 })
    expect(await kvctl(["member-remove", ...endpoints])).toMatchObject({ code: 2 })
    expect([...first.received, ...second.received]).toEqual([])
    const help = await kvctl(["--help"])
    for (const command of ["member-add", "member-remove", "reconfigure"]) expect(help.stdout).toContain(`- ${command} `)
  }, 30_000)

  it("moves a change on to the next endpoint after a 503, not after an indefinite answer or none", async () => {
    const endpoints = ["--endpoints", `${first.endpoint},${second.endpoint}`]
    first.answer = () => ({ status: 503, body: { type: "error", code: 11, text: "no leader known", definite: true } })
    second.answer = () => ({ status: 200, body: { type: "add_member_ok", voters: ["n0", "n1", "n2", "n3"], learners: [] } })
    expect(await kvctl(["member-add", "n3", ...endpoints])).toEqual({ code: 0, stdout: "voters: n0, n1, n2, n3\nlearners: -\n",
      stderr: "" })
    const added = { method: "POST", url: "/members/add", body: { node: "n3" } }
    expect(first.received).toEqual([added])
    expect(second.received).toEqual([added])

    first.answer = () => ({ status: 504, body: { type: "error", code: 0, text: "timed out", definite: false } })
    const indefinite = await kvctl(["member-remove", "n3", "--json", ...endpoints])
    expect(indefinite.code).toBe(1)
    expect(JSON.parse(indefinite.stdout)).toEqual({ type: "error", code: 0, text: "timed out", definite: false })
    expect(first.received.slice(1)).toEqual([{ method: "POST", url: "/members/remove", body: { node: "n3" } }])

    first.answer = () => undefined
    const unanswered = await kvctl(["reconfigure", "--voters", "n0,n1", "--learners", "n2", "--timeout-ms", "500", ...endpoints])
    expect(unanswered.code).toBe(3)
    expect(unanswered.stderr).toContain("not tried elsewhere: it may or may not have happened")
    expect(first.received.slice(2)).toEqual([{ method: "POST", url: "/reconfigure", body: { voters: ["n0", "n1"], learners: ["n2"] } }])
    expect(second.received).toEqual([added])
  }, 30_000)

  it("shows the store's error with exit 1 when every endpoint answered 503, not that none answered", async () => {
    const endpoints = ["--endpoints", `${first.endpoint},${second.endpoint}`]
    first.answer = () => ({ status: 503, body: { type: "error", code: 11, text: "no leader known", definite: true } })
    second.answer = () => ({ status: 503, body: { type: "error", code: 11, text: "a change is under way", definite: true } })
    const refused = await kvctl(["member-add", "n3", "--json", ...endpoints])
    expect(refused.code).toBe(1)
    expect(JSON.parse(refused.stdout)).toEqual({ type: "error", code: 11, text: "a change is under way", definite: true })
    expect(first.received.length + second.received.length).toBe(2)
  }, 30_000)
})

describe("bin/kvctl's membership changes on three real bin/raft serve processes", () => {
  let cluster: ServedCluster
  beforeAll(async () => {
    cluster = await ServedCluster.start()
  })
  afterAll(() => cluster.stop())

  it("removes, reconfigures and adds members, printing the configuration each ended with", async () => {
    const leader = await cluster.awaitLeader(8000)
    expect(leader).toBeDefined()
    const leaderEndpoint = `127.0.0.1:${leader!.clientPort}`
    // A follower leaves and comes back; the leader stays a voter throughout.
    const out = cluster.nodes.find((node) => node !== leader)!.id
    const stay = cluster.nodes.map((node) => node.id).filter((id) => id !== out)
    // (A new leader refuses a change, 503, until it has committed an entry of its own term.)
    const removed = await ServedCluster.until(5000, () => cluster.kvctl(["member-remove", out]), (run) => run.code === 0)
    expect(removed, JSON.stringify(removed)).toMatchObject({ code: 0, stdout: `voters: ${stay.join(", ")}\nlearners: -\n` })
    expect((await cluster.kvctl(["members"], leaderEndpoint)).stdout).toMatch(new RegExp(`^voters: ${stay.join(", ")}\nlearners: -\n`))

    const reconfigured = await cluster.kvctl(["reconfigure", "--voters", stay.join(","), "--learners", out, "--json"])
    expect(reconfigured.code, JSON.stringify(reconfigured)).toBe(0)
    expect(JSON.parse(reconfigured.stdout)).toEqual({ type: "reconfigure_ok", voters: stay, learners: [out] })

    expect(await cluster.kvctl(["member-add", out])).toMatchObject({ code: 0,
      stdout: `voters: ${[...stay, out].join(", ")}\nlearners: -\n` })

    const unknown = await cluster.kvctl(["member-add", "n9"])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain(
      "answered 400: error 12 (definite: it did not happen): n9 is not one of the cluster's nodes (n0, n1, n2)"
    )

    expect(await cluster.kvctl(["put", "after-changes", "1"])).toMatchObject({ code: 0, stdout: "OK\n" })
  }, 40_000)
})
