import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process"
import { tmpdir } from "node:os"
import { resolve } from "node:path"
import { createInterface } from "node:readline"

export const repoRoot = resolve(import.meta.dirname, "../..")

/** A Maelstrom binary run as a real process, driven line by line as Maelstrom would. */
export class NodeProcess {
  readonly process: ChildProcessWithoutNullStreams
  readonly received: Array<Record<string, any>> = []
  readonly stderr: Array<string> = []
  private readonly waiting = new Map<number, (body: Record<string, any>) => void>()
  private nextMsgId = 1
  exitCode: number | null = null

  constructor(bin: string, args: ReadonlyArray<string> = [], env: Record<string, string> = {}) {
    // Maelstrom starts nodes in the system temp directory, not the repo.
    this.process = spawn(bin, args, { cwd: tmpdir(), env: { ...process.env, ...env } })
    createInterface({ input: this.process.stdout }).on("line", (line) => {
      const message = JSON.parse(line)
      this.received.push(message)
      const resolveReply = this.waiting.get(message.body?.in_reply_to)
      if (resolveReply !== undefined) {
        this.waiting.delete(message.body.in_reply_to)
        resolveReply(message.body)
      }
    })
    createInterface({ input: this.process.stderr }).on("line", (line) => this.stderr.push(line))
    this.process.on("exit", (code) => (this.exitCode = code))
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
      const timer = setTimeout(() => reject(new Error(`no reply to ${JSON.stringify(body)}`)), timeoutMs)
      this.waiting.set(msgId, (reply) => {
        clearTimeout(timer)
        resolvePromise(reply)
      })
      this.writeLine(JSON.stringify({ src, dest, body: { ...body, msg_id: msgId } }))
    })
  }

  /** Retries a request while the node answers "temporarily unavailable" (no leader yet). */
  async requestWhenReady(body: Record<string, unknown>, attempts = 50): Promise<Record<string, any>> {
    for (let i = 0; i < attempts; i++) {
      const reply = await this.request(body)
      if (!(reply.type === "error" && reply.code === 11)) return reply
      await new Promise((r) => setTimeout(r, 100))
    }
    throw new Error("the node never became available")
  }

  /** Resolves with the exit code once the process has exited on its own. */
  waitForExit(timeoutMs = 5000): Promise<number | null> {
    if (!this.alive) return Promise.resolve(this.exitCode)
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => reject(new Error(`still running after ${timeoutMs} ms`)), timeoutMs)
      this.process.once("exit", (code) => {
        clearTimeout(timer)
        resolvePromise(code)
      })
    })
  }

  async stop(): Promise<void> {
    if (!this.alive) return
    const exited = new Promise((r) => this.process.once("exit", r))
    this.process.stdin.end()
    const timer = setTimeout(() => this.process.kill("SIGKILL"), 3000)
    await exited
    clearTimeout(timer)
  }
}
