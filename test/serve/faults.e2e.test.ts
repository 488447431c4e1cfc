import { afterAll, describe, expect, it } from "vitest"
import { checkHistory } from "../../checker/check.js"
import type { HistoryOp } from "../../checker/history.js"
import { invokeValue, type Operation } from "../../linkv/operation.js"
import { classifyResponse, type Outcome, responseOf } from "../../linkv/outcome.js"
import { LineProxy } from "./lineProxy.js"
import { ServedCluster, type ServedNode } from "./servedCluster.js"

const sleep = (ms: number) => new Promise((wake) => setTimeout(wake, ms))

const keys = 3
const requestTimeoutMs = 2500

/** A random register operation: keys 0..2, values 0..4, as Jepsen's register test. */
const randomOperation = (): Operation => {
  const key = Math.floor(Math.random() * keys)
  const value = () => Math.floor(Math.random() * 5)
  const kind = Math.random()
  return kind < 0.4 ? { f: "read", key } : kind < 0.7 ? { f: "write", key, value: value() } : { f: "cas", key, from: value(), to: value() }
}

/** The system's error code in a chain of causes (fetch wraps it), if any. */
const systemCode = (error: unknown): string | undefined => {
  for (let cause = error, depth = 0; cause !== undefined && cause !== null && depth < 5; depth++) {
    const code = (cause as { code?: unknown }).code
    if (typeof code === "string") return code
    cause = (cause as { cause?: unknown }).cause
  }
  return undefined
}

/** One operation over HTTP, judged as the workbench judges a Maelstrom reply. */
const perform = async (op: Operation, node: ServedNode): Promise<Outcome> => {
  const path = `http://127.0.0.1:${node.clientPort}/kv/${op.key}`
  const [method, url, body] = op.f === "read"
    ? ["GET", path, undefined]
    : op.f === "write"
    ? ["PUT", path, { value: op.value }]
    : ["POST", `${path}/cas`, { from: op.from, to: op.to }]
  try {
    const response = await fetch(url, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(requestTimeoutMs)
    })
    const { definite: _definite, ...reply } = await response.json() as Record<string, unknown>
    return classifyResponse(op, responseOf(reply))
  } catch (error) {
    // Never connected: the request cannot have arrived.
    if (systemCode(error) === "ECONNREFUSED") {
      return { type: "fail", value: invokeValue(op), error: { code: 11, text: `${node.id} refused the connection` } }
    }
    return classifyResponse(op, { _tag: "Timeout", afterMs: requestTimeoutMs })
  }
}

describe("bin/raft serve under faults on its peer links, a kill -9 and a restart", () => {
  let cluster: ServedCluster
  const proxies = new Map<string, LineProxy>()
  afterAll(() => {
    cluster.stop()
    for (const proxy of proxies.values()) proxy.close()
  })

  it("keeps a linearizable history through a partition of the leader, slow and lossy links, and a killed leader", async () => {
    cluster = await ServedCluster.create(3)
    for (const from of cluster.nodes) {
      for (const to of cluster.nodes) {
        if (from === to) continue
        const proxy = await LineProxy.open(to.peerPort)
        proxies.set(`${from.id}->${to.id}`, proxy)
        cluster.linkPorts.set(`${from.id}->${to.id}`, proxy.port)
      }
    }
    for (const node of cluster.nodes) cluster.launch(node)
    const firstLeader = await cluster.awaitLeader(8000)
    expect(firstLeader).toBeDefined()

    const history: Array<HistoryOp> = []
    const started = process.hrtime.bigint()
    const now = () => Number(process.hrtime.bigint() - started)
    const record = (op: Omit<HistoryOp, "index" | "time">) => history.push({ ...op, index: history.length, time: now() })
    let running = true
    const concurrency = 4
    const client = async (thread: number) => {
      let processId = thread
      while (running) {
        const op = randomOperation()
        const node = cluster.nodes[Math.floor(Math.random() * cluster.nodes.length)]!
        record({ process: processId, type: "invoke", f: op.f, key: op.key, value: invokeValue(op), node: node.id })
        const outcome = await perform(op, node)
        record({ process: processId, f: op.f, key: op.key, node: node.id, ...outcome })
        // A process whose operation may still take effect is retired, as Jepsen's are.
        if (outcome.type === "info") processId += concurrency
        await sleep(10)
      }
    }
    const clients = Array.from({ length: concurrency }, (_, thread) => client(thread))

    const links = (predicate: (from: string, to: string) => boolean) =>
      [...proxies.entries()].filter(([link]) => predicate(...(link.split("->") as [string, string]))).map(([, proxy]) => proxy)
    const healAll = () => proxies.forEach((proxy) => proxy.heal())

    await sleep(700)
    // The leader cut off from both others, both ways, for longer than an election timeout.
    const cutOff = (await cluster.leader()) ?? firstLeader!
    for (const proxy of links((from, to) => from === cutOff.id || to === cutOff.id)) proxy.cut = true
    await sleep(1500)
    healAll()
    await sleep(300)
    // Every link slow and lossy.
    for (const proxy of proxies.values()) {
      proxy.delayMs = 20
      proxy.dropRate = 0.2
    }
    await sleep(1000)
    healAll()
    // The leader killed, and back a second later from its data directory.
    const killed = await cluster.awaitLeader(3000)
    killed!.process.kill("SIGKILL")
    await sleep(1000)
    cluster.launch(killed!)
    await sleep(1500)
    running = false
    await Promise.all(clients)

    const completions = history.filter((op) => op.type !== "invoke")
    const oks = completions.filter((op) => op.type === "ok")
    const summary = `${oks.length} ok of ${completions.length}: ` +
      ["read", "write", "cas"].map((f) => `${f} ${oks.filter((op) => op.f === f).length}`).join(", ")
    // A run where too little succeeded proves nothing.
    expect(oks.filter((op) => op.f !== "read").length, summary).toBeGreaterThan(10)
    expect(oks.filter((op) => op.f === "read").length, summary).toBeGreaterThan(10)
    // Operations succeeded after the last fault too: the cluster recovered.
    const lastSecond = now() - 1.5e9
    expect(oks.filter((op) => op.time > lastSecond).length, summary).toBeGreaterThan(0)
    const result = checkHistory(history, { timeLimitMs: 10_000 })
    expect(result.verdict, JSON.stringify(result.keys.find((key) => key.verdict !== "valid"))).toBe("valid")
    // The checker is not blind to this history: a read of a value never written makes it invalid.
    const lastRead = oks.filter((op) => op.f === "read").at(-1)!
    const doctored = history.map((op) => op === lastRead ? { ...op, value: 99 } : op)
    expect(checkHistory(doctored, { timeLimitMs: 10_000 }).verdict).toBe("invalid")
    // The faults did happen: lines were lost on the links of the node cut off.
    expect(links((from, to) => from === cutOff.id || to === cutOff.id).reduce((sum, proxy) => sum + proxy.dropped, 0)).toBeGreaterThan(0)
  }, 40_000)
})
