import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process"
import { tmpdir } from "node:os"
import { resolve } from "node:path"
import { createInterface } from "node:readline"

export const repoRoot = resolve(import.meta.dirname, "../..")

export const raftBin = resolve(repoRoot, "bin/raft")

export interface NodeProcessOptions {
  readonly args?: ReadonlyArray<string>
  readonly env?: Record<string, string>
  /**
   * Sees every message the node prints, with its line, before it is taken as
   * a reply; returns true when it took the message elsewhere (to another node).
   */
  readonly route?: (message: Record<string, any>, line: string) => boolean
}

/** A Maelstrom binary run as a real process, driven line by line as Maelstrom would. */
export class NodeProcess {
  readonly process: ChildProcessWithoutNullStreams
  readonly received: Array<Record<string, any>> = []
  /** Lines on stdout that are not JSON (a node must print none). */
  readonly invalidLines: Array<string> = []
  readonly stderr: Array<string> = []
  /** Resolves with the exit code (null after a signal) when the process ends. */
  readonly exited: Promise<number | null>
  private readonly waiting = new Map<string, (body: Record<string, any>) => void>()
  private nextMsgId = 1
  exitCode: number | null = null

  constructor(bin: string, options: NodeProcessOptions = {}) {
    // Maelstrom starts nodes in the system temp directory, not the repo.
    this.process = spawn(bin, [...(options.args ?? [])], { cwd: tmpdir(), env: { ...process.env, ...options.env } })
    createInterface({ input: this.process.stdout, crlfDelay: Infinity }).on("line", (line) => {
      let message: Record<string, any>
      try {
        message = JSON.parse(line)
      } catch {
        this.invalidLines.push(line)
        return
      }
      if (options.route?.(message, line) === true) return
      this.received.push(message)
      const key = `${message.dest}/${message.body?.in_reply_to}`
      const resolveReply = this.waiting.get(key)
      if (resolveReply !== undefined) {
        this.waiting.delete(key)
        resolveReply(message.body)
      }
    })
    // Writing to a node that has exited is that test's failure to report, not a crash of the test run.
    this.process.stdin.on("error", (error) => this.stderr.push(`(test) stdin: ${error.message}`))
    createInterface({ input: this.process.stderr }).on("line", (line) => this.stderr.push(line))
    this.exited = new Promise((resolveExit) =>
      this.process.on("exit", (code) => {
        this.exitCode = code
        resolveExit(code)
      })
    )
  }

  get alive(): boolean {
    return this.exitCode === null && this.process.signalCode === null
  }

  writeLine(line: string): void {
    this.process.stdin.write(`${line}\n`)
  }

  /** Sends a request from client `src` and resolves with the reply body. */
  request(body: Record<string, unknown>, src = "c1", dest = "n1", timeoutMs = 5000): Promise<Record<string, any>> {
    const msgId = this.nextMsgId++
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply to ${JSON.stringify(body).slice(0, 200)}`)), timeoutMs)
      this.waiting.set(`${src}/${msgId}`, (reply) => {
        clearTimeout(timer)
        resolvePromise(reply)
      })
      this.writeLine(JSON.stringify({ src, dest, body: { ...body, msg_id: msgId } }))
    })
  }

  /** Retries a request while the node answers "temporarily unavailable" (no leader yet). */
  async requestWhenReady(body: Record<string, unknown>, dest = "n1", attempts = 50): Promise<Record<string, any>> {
    for (let i = 0; i < attempts; i++) {
      const reply = await this.request(body, "c1", dest)
      if (!(reply.type === "error" && reply.code === 11)) return reply
      await new Promise((r) => setTimeout(r, 100))
    }
    throw new Error("the node never became available")
  }

  /** Resolves with the exit code once the process ends, or rejects after `timeoutMs`. */
  exitWithin(timeoutMs: number): Promise<number | null> {
    return Promise.race([
      this.exited,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still running ${timeoutMs} ms later`)), timeoutMs).unref())
    ])
  }

  /** kill -9: the node gets no chance to finish anything. */
  kill(): void {
    this.process.kill("SIGKILL")
  }

  async stop(): Promise<void> {
    if (!this.alive) return
    this.process.stdin.end()
    const timer = setTimeout(() => this.process.kill("SIGKILL"), 3000)
    await this.exited
    clearTimeout(timer)
  }
}

/**
 * A `route` for a node whose peers the test plays: they answer its log_tip
 * questions (src/raft/recovery.ts) with empty logs, as in a new cluster.
 */
export const peersOfANewCluster = (node: () => NodeProcess) => (message: Record<string, any>): boolean => {
  if (message.body?.type !== "log_tip") return false
  const answer = { type: "log_tip_result", in_reply_to: message.body.msg_id, last_index: 0, last_term: 0, term: 0 }
  node().writeLine(JSON.stringify({ src: message.dest, dest: message.src, body: answer }))
  return true
}
