import { NodeProcess, raftBin } from "./NodeProcess.js"

/**
 * Several bin/raft processes wired together as Maelstrom would: a message a
 * node prints for another node is passed to that node's stdin unchanged, with
 * no latency and no faults (unless the test holds a node's messages back);
 * replies to clients go to the test.
 */
export class ProcessCluster {
  readonly nodes: ReadonlyMap<string, NodeProcess>
  /** Messages from other nodes held back for a node, by node, until `release` (a slow link, not a lossy one). */
  private readonly held = new Map<string, Array<string>>()

  constructor(readonly ids: ReadonlyArray<string>, argsOf: (id: string) => ReadonlyArray<string> = () => []) {
    const nodes = new Map<string, NodeProcess>()
    const route = (message: Record<string, any>, line: string) => {
      const dest = nodes.get(message.dest)
      if (dest === undefined) return false
      const holding = this.held.get(message.dest)
      if (holding !== undefined) holding.push(line)
      else if (dest.alive) dest.writeLine(line)
      return true
    }
    for (const id of ids) nodes.set(id, new NodeProcess(raftBin, { args: argsOf(id), route }))
    this.nodes = nodes
  }

  node(id: string): NodeProcess {
    return this.nodes.get(id)!
  }

  /** Holds back what other nodes send `id` until `release`. */
  hold(id: string): void {
    this.held.set(id, [])
  }

  /** Delivers what was held back, in order, and holds nothing more. */
  release(): void {
    for (const [id, lines] of this.held) {
      this.held.delete(id)
      const node = this.node(id)
      if (node.alive) { for (const line of lines) node.writeLine(line) }
    }
  }

  /** Sends every node its init and waits for every init_ok. */
  async init(): Promise<void> {
    for (const id of this.ids) {
      const reply = await this.node(id).request({ type: "init", node_id: id, node_ids: [...this.ids] }, "c0", id)
      if (reply.type !== "init_ok") throw new Error(`${id} answered init with ${JSON.stringify(reply)}`)
    }
  }

  async stop(): Promise<void> {
    await Promise.all([...this.nodes.values()].map((node) => node.stop()))
  }
}
