/**
 * The saturated lin-kv load of bench/perf/loadRun.mjs, against three nodes
 * run as a service (`bin/raft serve`, memory log, peers over TCP on free
 * loopback ports) and driven over HTTP: CONCURRENCY client threads, each
 * one operation at a time, for SECONDS, no faults. The workload is the
 * workbench's own: its lin-kv generator (Maelstrom's key groups and mix, an
 * unreachable rate, seed 1) and its client thread (a thread talks to node
 * `process % 3`, and after an indefinite outcome goes on as a fresh
 * process; a request unanswered within 1 s is given up, as the workbench's
 * default), each request an HTTP request through fetch's keep-alive pool.
 * A client whose node refused the connection moves to the next node.
 *
 * The nodes' CPU (user + system, from /proc) and this process's own (the
 * clients') are read at the start of the client phase and at its time
 * limit; operations still in flight then are left out, as the workbench
 * leaves them out. The history is checked for linearizability afterwards.
 * Prints one JSON line, with loadRun.mjs's fields where they apply.
 *
 * With --kill-leader-at K: the leader is killed with -9 K seconds into the
 * client phase and stays down; the line then also says what the clients
 * saw: the longest spell of the client phase without any ok answer, and
 * where it lies from the kill; the answers during that spell by HTTP
 * status ("refused": the connection was refused, "no answer": none within
 * 1 s); and, of the reads, writes and cas sent after the kill, how long
 * after the kill the first ok one was answered.
 *
 * Usage: npm run build && node dist/bench/serve/httpLoad.js CONCURRENCY SECONDS [--kill-leader-at K]
 */
import { readFileSync } from "node:fs"
import { Clock, Effect, Fiber, Random } from "effect"
import { checkHistory } from "../../checker/check.js"
import type { HistoryOp } from "../../checker/history.js"
import { clientTimeoutMs, type Connection, runClientThread } from "../../linkv/clientThread.js"
import { maelstromLinKv, makeGenerator } from "../../linkv/generator.js"
import { makeHistoryRecorder } from "../../linkv/historyRecorder.js"
import { type HttpSeen, requestOverHttp, ServedCluster } from "../../test/support/servedCluster.js"
import { emptyCounters } from "../../workbench/router.js"
import { computeStats } from "../../workbench/stats.js"

const usage = "usage: node dist/bench/serve/httpLoad.js CONCURRENCY SECONDS [--kill-leader-at K]"
const fail = (problem: string): never => {
  console.error(`${problem}\n${usage}`)
  process.exit(2)
}
const argv = process.argv.slice(2)
const killFlag = argv.indexOf("--kill-leader-at")
const killAtSeconds = killFlag === -1 ? undefined : Number(argv[killFlag + 1])
const [concurrencyText, secondsText, ...extra] = killFlag === -1 ? argv : argv.filter((_, i) => i !== killFlag && i !== killFlag + 1)
const concurrency = Number(concurrencyText)
const seconds = Number(secondsText)
if (!Number.isInteger(concurrency) || concurrency < 1) fail(`CONCURRENCY ${JSON.stringify(concurrencyText)}: expected a positive integer`)
if (!(seconds > 0)) fail(`SECONDS ${JSON.stringify(secondsText)}: expected a positive number`)
if (extra.length > 0) fail(`unexpected arguments: ${extra.join(" ")}`)
if (killAtSeconds !== undefined && !(killAtSeconds > 0 && killAtSeconds < seconds)) {
  fail(`--kill-leader-at ${JSON.stringify(argv[killFlag + 1])}: expected a number of seconds between 0 and SECONDS`)
}

const nodeCount = 3
// /proc/<pid>/stat counts CPU time in clock ticks: 100 per second on Linux (getconf CLK_TCK).
const ticksPerSecond = 100
/** utime + stime of a process, in ticks; 0 once it is gone. */
const cpuTicks = (pid: number | undefined): number => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return Number(fields[11]) + Number(fields[12])
  } catch {
    return 0
  }
}

/**
 * An answer a client saw: when its request went out and when the answer
 * came (nanoseconds since the client phase began), and whether its
 * operation was ok.
 */
interface Seen {
  readonly sent: number
  readonly time: number
  readonly seen: HttpSeen
  readonly f: HistoryOp["f"]
  readonly ok: boolean
}

const cluster = await ServedCluster.start(nodeCount, [], { memoryLog: true })
try {
  const leader = await cluster.awaitLeader(15_000)
  if (leader === undefined)
    throw new Error(`no leader within 15 s of the start:\n${cluster.nodes.map((n) => n.stderr.join("")).join("\n")}`)
  const timeoutMs = clientTimeoutMs(0)

  const run = Effect.gen(function*() {
    const generator = yield* makeGenerator({ ...maelstromLinKv(nodeCount), concurrency, rate: 1_000_000 })
    const startNanos = yield* Clock.currentTimeNanos
    const recorder = yield* makeHistoryRecorder(startNanos)
    const since = Effect.map(Clock.currentTimeNanos, (now) => Number(now - startNanos))
    const seen: Array<Seen> = []
    const connect = (process: number): Effect.Effect<Connection> =>
      Effect.sync(() => {
        let node = cluster.nodes[process % nodeCount]!
        return {
          get node() {
            return node.id
          },
          call: (body, timeoutMs) =>
            Effect.gen(function*() {
              const sent = yield* since
              const answer = yield* Effect.promise(() => requestOverHttp(node, body, timeoutMs))
              // A read of a missing key (404) is an ok read of nothing, as the workbench counts it.
              const ok = answer.seen === 200 || (answer.seen === 404 && body.type === "read")
              seen.push({ sent, time: yield* since, seen: answer.seen, f: body.type, ok })
              if (answer.seen === "refused") node = cluster.nodes[(cluster.nodes.indexOf(node) + 1) % nodeCount]!
              return answer.response
            }),
          close: Effect.void
        }
      })

    const nodeTicks = () => cluster.nodes.reduce((sum, node) => sum + cpuTicks(node.process.pid), 0)
    const startTicks = nodeTicks()
    const startClientCpu = process.cpuUsage()
    const untilMillis = (yield* Clock.currentTimeMillis) + seconds * 1000
    const killer = killAtSeconds === undefined ? undefined : yield* Effect.fork(Effect.gen(function*() {
      yield* Effect.sleep(killAtSeconds * 1000)
      const victim = yield* Effect.promise(() => cluster.leader())
      const at = yield* since
      victim?.process.kill("SIGKILL")
      return { node: victim?.id, at }
    }))
    // The time limit: the CPU read then, before the threads finish the operations in flight.
    const limit = yield* Effect.fork(Effect.gen(function*() {
      yield* Effect.sleep(seconds * 1000)
      return { at: yield* since, nodeTicks: nodeTicks(), clientCpu: process.cpuUsage(startClientCpu) }
    }))
    yield* Effect.forEach(
      Array.from({ length: concurrency }, (_, thread) => thread),
      (thread) => runClientThread({ generator, recorder, concurrency, timeoutMs, untilMillis, connect }, thread),
      { concurrency: "unbounded", discard: true }
    )
    const end = yield* Fiber.join(limit)
    const killed = killer === undefined ? undefined : yield* Fiber.join(killer)
    const history = (yield* recorder.lines).filter((line) => line.time <= end.at)
    return { history, seen: seen.filter((s) => s.time <= end.at), end, killed, startTicks }
  }).pipe(Effect.withRandom(Random.make(1)))

  const { end, history, killed, seen, startTicks } = await Effect.runPromise(run)
  const stats = computeStats(history, emptyCounters, seconds)
  const nodeCpuMs = (end.nodeTicks - startTicks) * 1000 / ticksPerSecond
  const clientCpuMs = (end.clientCpu.user + end.clientCpu.system) / 1000
  const verdict = checkHistory(history, { timeLimitMs: 30_000 }).verdict

  /** What the clients saw around the kill. */
  const aroundKill = (at: number) => {
    // The longest spell of the client phase with no ok answer, its ends the ok answers around it (or the phase's ends).
    const okTimes = [0, ...seen.filter((s) => s.ok).map((s) => s.time).sort((a, b) => a - b), end.at]
    let gap = { from: 0, to: 0 }
    for (let i = 1; i < okTimes.length; i++) {
      if (okTimes[i]! - okTimes[i - 1]! > gap.to - gap.from) gap = { from: okTimes[i - 1]!, to: okTimes[i]! }
    }
    const byStatus: Record<string, number> = {}
    for (const s of seen) {
      if (s.time > gap.from && s.time < gap.to) byStatus[String(s.seen)] = (byStatus[String(s.seen)] ?? 0) + 1
    }
    // The first operation of each kind sent after the kill that was ok: how long after the kill its answer came.
    const firstOk = (f: HistoryOp["f"]) => {
      const first = seen.filter((s) => s.ok && s.f === f && s.sent > at).sort((a, b) => a.time - b.time)[0]
      return first === undefined ? null : Math.round((first.time - at) / 1e6)
    }
    const ms = (nanos: number) => Math.round(nanos / 1e6)
    return {
      killedNode: killed?.node ?? null,
      killedAtMs: ms(at),
      longestGapWithoutOkMs: ms(gap.to - gap.from),
      longestGapFromKillMs: { from: ms(gap.from - at), to: ms(gap.to - at) },
      answersInGapByStatus: byStatus,
      firstOkSentAfterKillMs: { read: firstOk("read"), write: firstOk("write"), cas: firstOk("cas") }
    }
  }
  console.log(JSON.stringify({
    valid: verdict === "valid" ? true : verdict === "invalid" ? false : verdict,
    nodes: nodeCount,
    ok: stats.ok,
    fail: stats.fail,
    info: stats.info,
    okPerSecond: stats.throughput.okPerSecond,
    p50: stats.latencyMs?.p50 ?? null,
    p99: stats.latencyMs?.p99 ?? null,
    nodeCpuMs,
    nodeCpuUsPerOk: stats.ok > 0 ? nodeCpuMs * 1000 / stats.ok : null,
    clientCpuMs,
    ...(killed === undefined ? {} : { kill: aroundKill(killed.at) })
  }))
} finally {
  cluster.stop()
}
