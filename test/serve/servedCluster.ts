import { type ChildProcess, execFile, spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import * as Net from "node:net"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"

export const repoRoot = resolve(import.meta.dirname, "../..")
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

  static async start(size = 3, extraArgs: ReadonlyArray<string> = []): Promise<ServedCluster> {
    const cluster = new ServedCluster()
    for (let i = 0; i < size; i++) {
      cluster.nodes.push({
        id: `n${i}`,
        peerPort: await freePort(),
        clientPort: await freePort(),
        process: undefined as unknown as ChildProcess,
        stderr: []
      })
    }
    for (const node of cluster.nodes) cluster.launch(node, extraArgs)
    return cluster
  }

  get peers(): string {
    return this.nodes.map((node) => `${node.id}=127.0.0.1:${node.peerPort}`).join(",")
  }

  /** Every node's client address, in order: kvctl's --endpoints. */
  get endpoints(): string {
    return this.nodes.map((node) => `127.0.0.1:${node.clientPort}`).join(",")
  }

  launch(node: ServedNode, extraArgs: ReadonlyArray<string> = []): void {
    const args = ["serve", "--id", node.id, "--peers", this.peers, "--client-port", String(node.clientPort), "--data-dir", this.dataDir,
      ...extraArgs]
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

  /** The node that leads now, as the nodes' statuses say (all that answer agree). */
  async leader(): Promise<ServedNode | undefined> {
    const run = await this.kvctl(["status", "--json"])
    const rows = JSON.parse(run.stdout) as Array<{ role?: string; node?: string }>
    const id = rows.find((row) => row.role === "leader")?.node
    return this.nodes.find((node) => node.id === id)
  }

  stop(): void {
    for (const node of this.nodes) node.process.kill("SIGKILL")
    rmSync(this.dataDir, { recursive: true, force: true })
  }
}
