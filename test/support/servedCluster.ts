import { type ChildProcess, execFile, spawn } from "node:child_process"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import * as Net from "node:net"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { responseOf, type Response } from "../../linkv/outcome.js"
import type { RequestBody } from "../../linkv/operation.js"
import { systemCode } from "../../kvctl/storeCall.js"

/**
 * The repository's root: the nearest folder above this file that holds
 * package.json (this file runs from test/support/ under vitest, and from
 * dist/test/support/ when a compiled benchmark imports it).
 */
const findRepoRoot = (from: string): string => {
  for (let dir = from;; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir
    if (dirname(dir) === dir) throw new Error(`no package.json in ${from} or any folder above it`)
  }
}

export const repoRoot = findRepoRoot(import.meta.dirname)
const raftBin = resolve(repoRoot, "bin/raft")
const kvctlBin = resolve(repoRoot, "bin/kvctl")

/** A loopback port nobody listens on now. */
export const freePort = (): Promise<number> =>
  new Promise((resolvePort) => {
    const server = Net.createServer()
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as Net.AddressInfo
      server.close(() => resolvePort(port))
    })
  })

/** One served node: its process, ports and what it logged. */
export interface ServedNode {
  readonly id: string
  readonly peerPort: number
  readonly clientPort: number
  process: ChildProcess
  readonly stderr: Array<string>
}

/** What kvctl printed and how it exited. */
export interface KvctlRun {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Three `bin/raft serve` processes on free loopback ports, each with a data directory in a temporary one. */
export class ServedCluster {
  readonly nodes: Array<ServedNode> = []
  readonly dataDir = mkdtempSync(join(tmpdir(), "served-"))

  /**
   * Where a node reaches a peer, when not at the peer's own port: by
   * `from->to` (a proxy on that link).
   */
  readonly linkPorts = new Map<string, number>()

  /** With `memoryLog`, the nodes are started without `--data-dir` and keep their logs in memory. */
  private constructor(readonly memoryLog: boolean) {}

  static async start(size = 3, extraArgs: ReadonlyArray<string> = [],
    options: { readonly memoryLog?: boolean } = {}): Promise<ServedCluster>
  {
    const cluster = await ServedCluster.create(size, options)
    for (const node of cluster.nodes) cluster.launch(node, extraArgs)
    return cluster
  }

  /** The nodes' ports, none of them started. */
  static async create(size = 3, options: { readonly memoryLog?: boolean } = {}): Promise<ServedCluster> {
    const cluster = new ServedCluster(options.memoryLog ?? false)
    for (let i = 0; i < size; i++) {
      cluster.nodes.push({
        id: `n${i}`,
        peerPort: await freePort(),
        clientPort: await freePort(),
        process: undefined as unknown as ChildProcess,
        stderr: []
      })
    }
    return cluster
  }

  /** The `--peers` a node is given: its own address, and for each other node the port it reaches that one on. */
  peersFor(from: ServedNode): string {
    return this.nodes.map((node) => `${node.id}=127.0.0.1:${this.linkPorts.get(`${from.id}->${node.id}`) ?? node.peerPort}`).join(",")
  }

  /** Every node's client address, in order: kvctl's --endpoints. */
  get endpoints(): string {
    return this.nodes.map((node) => `127.0.0.1:${node.clientPort}`).join(",")
  }

  launch(node: ServedNode, extraArgs: ReadonlyArray<string> = []): void {
    const args = ["serve", "--id", node.id, "--peers", this.peersFor(node), "--client-port", String(node.clientPort),
      ...(this.memoryLog ? [] : ["--data-dir", this.dataDir]), ...extraArgs]
    node.process = spawn(raftBin, args, { stdio: ["ignore", "ignore", "pipe"] })
    node.process.stderr!.setEncoding("utf8").on("data", (text: string) => node.stderr.push(text))
  }

  /** Runs bin/kvctl against the cluster (its endpoints unless the arguments name others). */
  kvctl(args: ReadonlyArray<string>, endpoints = this.endpoints): Promise<KvctlRun> {
    return new Promise((resolveRun) => {
      execFile(kvctlBin, [...args, "--endpoints", endpoints], { timeout: 20_000 },
        (error, stdout, stderr) =>
          resolveRun({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr }))
    })
  }

  /** Retries `attempt` until it says it is done or `withinMs` have passed; the last try's result. */
  static async until<A>(withinMs: number, attempt: () => Promise<A>, done: (result: A) => boolean): Promise<A> {
    const deadline = Date.now() + withinMs
    while (true) {
      const result = await attempt()
      if (done(result) || Date.now() > deadline) return result
      await new Promise((wake) => setTimeout(wake, 100))
    }
  }

  /** A node's own status over HTTP (quicker than starting kvctl), or undefined when it does not answer. */
  async statusOf(node: ServedNode): Promise<Record<string, unknown> | undefined> {
    try {
      const response = await fetch(`http://127.0.0.1:${node.clientPort}/status`, { signal: AbortSignal.timeout(1000) })
      return await response.json() as Record<string, unknown>
    } catch {
      return undefined
    }
  }

  /** The node that says it leads now, if any. */
  async leader(): Promise<ServedNode | undefined> {
    const statuses = await Promise.all(this.nodes.map((node) => this.statusOf(node)))
    return this.nodes.find((_, i) => statuses[i]?.["role"] === "leader")
  }

  /** Waits up to `withinMs` for a node to say it leads. */
  awaitLeader(withinMs: number): Promise<ServedNode | undefined> {
    return ServedCluster.until(withinMs, () => this.leader(), (leader) => leader !== undefined)
  }

  stop(): void {
    for (const node of this.nodes) node.process.kill("SIGKILL")
    rmSync(this.dataDir, { recursive: true, force: true })
  }
}

/**
 * What a client saw of one request: the HTTP status, or "refused" (the
 * connection was refused: the request cannot have arrived) or "no answer"
 * (none within the time allowed, or the connection broke).
 */
export type HttpSeen = number | "refused" | "no answer"

/**
 * One lin-kv request to a served node over HTTP (GET, PUT or POST .../cas
 * of the HTTP API), as the workbench's clients get a Maelstrom reply: the
 * answer's body as a Response, with what the client saw. A refused
 * connection is a definite error 11 (temporarily unavailable); no answer
 * within `timeoutMs` a Timeout.
 */
export const requestOverHttp = async (
  node: ServedNode,
  body: RequestBody,
  timeoutMs: number
): Promise<{ readonly response: Response; readonly seen: HttpSeen }> => {
  const path = `http://127.0.0.1:${node.clientPort}/kv/${encodeURIComponent(String(body.key))}`
  const [method, url, payload] = body.type === "read"
    ? ["GET", path, undefined]
    : body.type === "write"
    ? ["PUT", path, { value: body.value }]
    : ["POST", `${path}/cas`, { from: body.from, to: body.to }]
  let status: number
  let text: string
  try {
    const answer = await fetch(url, {
      method,
      ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
      signal: AbortSignal.timeout(timeoutMs)
    })
    status = answer.status
    text = await answer.text()
  } catch (error) {
    if (systemCode(error) === "ECONNREFUSED") {
      const refused = { type: "error", code: 11, text: `${node.id} refused the connection` } as const
      return { response: { _tag: "Reply", reply: refused }, seen: "refused" }
    }
    return { response: { _tag: "Timeout", afterMs: timeoutMs }, seen: "no answer" }
  }
  let reply: unknown
  try {
    reply = JSON.parse(text)
  } catch {
    return { response: { _tag: "Malformed", problem: `a ${status} answer that is not JSON: ${text.slice(0, 200)}` }, seen: status }
  }
  // `definite` is the HTTP API's own field; the reply is otherwise the node's.
  const { definite: _definite, ...fields } = reply as Record<string, unknown>
  return { response: responseOf(fields), seen: status }
}
