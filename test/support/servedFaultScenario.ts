import { checkHistory } from "../../checker/check.js"
import type { HistoryOp } from "../../checker/history.js"
import { invokeValue, type Operation, requestBody } from "../../linkv/operation.js"
import { classifyResponse, type Outcome } from "../../linkv/outcome.js"
import { requestOverHttp, ServedCluster, type ServedNode } from "./servedCluster.js"
import { LineProxy } from "./lineProxy.js"

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

/** One operation over HTTP, judged as the workbench judges a Maelstrom reply. */
const perform = async (op: Operation, node: ServedNode): Promise<Outcome> =>
  classifyResponse(op, (await requestOverHttp(node, requestBody(op), requestTimeoutMs)).response)

/** What a run of the fault scenario gave: its history and how much of it succeeded. */
export interface FaultRun {
  readonly history: ReadonlyArray<HistoryOp>
  /** Successful operations, by kind, for messages. */
  readonly summary: string
  readonly okReads: number
  readonly okWrites: number
  /** Successful operations in the last 1.5 s: the cluster recovered from the last fault. */
  readonly okAtTheEnd: number
  /** Lines the proxies swallowed on the links of the nodes cut off. */
  readonly droppedAtTheCut: number
}

/**
 * `size` served nodes with a line-aware proxy on every directed peer link,
 * under `concurrency` HTTP clients, through `rounds` rounds of faults: a
 * minority with the leader cut off from the rest, both ways; every link slow
 * and lossy; the leader killed with -9 and restarted from its data
 * directory a second later. Every process and proxy is gone when it returns.
 */
export const runFaultScenario = async (options: {
  readonly size: number
  readonly rounds: number
  readonly concurrency: number
  /** Told after each round, for progress on long runs. */
  readonly onRound?: (round: number, okSoFar: number) => void
}): Promise<FaultRun> => {
  const cluster = await ServedCluster.create(options.size)
  const proxies = new Map<string, LineProxy>()
  try {
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
    if (firstLeader === undefined) throw new Error("no leader within 8 s of the start")

    const history: Array<HistoryOp> = []
    const started = process.hrtime.bigint()
    const now = () => Number(process.hrtime.bigint() - started)
    const record = (op: Omit<HistoryOp, "index" | "time">) => history.push({ ...op, index: history.length, time: now() })
    let running = true
    const client = async (thread: number) => {
      let processId = thread
      while (running) {
        const op = randomOperation()
        const node = cluster.nodes[Math.floor(Math.random() * cluster.nodes.length)]!
        record({ process: processId, type: "invoke", f: op.f, key: op.key, value: invokeValue(op), node: node.id })
        const outcome = await perform(op, node)
        record({ process: processId, f: op.f, key: op.key, node: node.id, ...outcome })
        // A process whose operation may still take effect is retired, as Jepsen's are.
        if (outcome.type === "info") processId += options.concurrency
        await sleep(10)
      }
    }
    const clients = Array.from({ length: options.concurrency }, (_, thread) => client(thread))

    const healAll = () => proxies.forEach((proxy) => proxy.heal())
    let droppedAtTheCut = 0
    for (let round = 0; round < options.rounds; round++) {
      await sleep(700)
      // A minority, the leader among it, cut off from the rest, both ways, for longer than an election timeout.
      const leader = (await cluster.leader()) ?? firstLeader
      const minority = new Set([leader.id, ...cluster.nodes.filter((node) => node !== leader).map((node) => node.id)
        .slice(0, Math.floor((options.size - 1) / 2) - 1)])
      const cut = [...proxies.entries()].filter(([link]) => {
        const [from, to] = link.split("->") as [string, string]
        return minority.has(from) !== minority.has(to)
      }).map(([, proxy]) => proxy)
      const droppedBefore = cut.reduce((sum, proxy) => sum + proxy.dropped, 0)
      for (const proxy of cut) proxy.cut = true
      await sleep(1500)
      healAll()
      droppedAtTheCut += cut.reduce((sum, proxy) => sum + proxy.dropped, 0) - droppedBefore
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
      if (killed !== undefined) {
        killed.process.kill("SIGKILL")
        await sleep(1000)
        cluster.launch(killed)
      }
      options.onRound?.(round + 1, history.filter((op) => op.type === "ok").length)
    }
    await sleep(1500)
    running = false
    await Promise.all(clients)

    const oks = history.filter((op) => op.type === "ok")
    const completions = history.filter((op) => op.type !== "invoke").length
    return {
      history,
      summary: `${oks.length} ok of ${completions}: ` +
        ["read", "write", "cas"].map((f) => `${f} ${oks.filter((op) => op.f === f).length}`).join(", "),
      okReads: oks.filter((op) => op.f === "read").length,
      okWrites: oks.filter((op) => op.f !== "read").length,
      okAtTheEnd: oks.filter((op) => op.time > now() - 1.5e9).length,
      droppedAtTheCut
    }
  } finally {
    cluster.stop()
    for (const proxy of proxies.values()) proxy.close()
  }
}

/**
 * What is wrong with a run, empty when nothing is: too little succeeded (a
 * run like that proves nothing), nothing succeeded at the end, the history
 * is not linearizable, the checker would miss a wrong read in it, or the
 * faults did not happen.
 */
export const problemsOfRun = (run: FaultRun): ReadonlyArray<string> => {
  const problems: Array<string> = []
  if (run.okWrites <= 10) problems.push(`only ${run.okWrites} writes and cas succeeded (${run.summary})`)
  if (run.okReads <= 10) problems.push(`only ${run.okReads} reads succeeded (${run.summary})`)
  if (run.okAtTheEnd === 0) problems.push(`nothing succeeded in the last 1.5 s: the cluster did not recover (${run.summary})`)
  const result = checkHistory(run.history, { timeLimitMs: 20_000 })
  if (result.verdict !== "valid") {
    problems.push(`the history is ${result.verdict}: ${JSON.stringify(result.keys.find((key) => key.verdict !== "valid"))}`)
  }
  // The checker is not blind to this history: a read of a value never written makes it invalid.
  const lastRead = run.history.filter((op) => op.type === "ok" && op.f === "read").at(-1)
  if (lastRead !== undefined) {
    const doctored = run.history.map((op) => op === lastRead ? { ...op, value: 99 } : op)
    const verdict = checkHistory(doctored, { timeLimitMs: 20_000 }).verdict
    if (verdict !== "invalid") problems.push(`with its last ok read made 99, the history is ${verdict}, not invalid`)
  }
  if (run.droppedAtTheCut === 0) problems.push("the proxies swallowed no line at the cuts: the faults did not happen")
  return problems
}
