// One saturated lin-kv load against one build of the project: the workbench
// (of that build) runs `bin/raft` nodes (3 unless --node-count says), no
// faults, a fixed concurrency and an unreachable rate, while the CPU time of
// every process the workbench starts (the nodes) is read from /proc: the CPU
// they spent from the start of the client phase (the workbench's first
// progress line) to its time limit (its "time limit reached" line; the few
// operations still in flight then are left out), start-up and shutdown left
// out.
// Also sums each node's stats lines (its fsyncs and the operations it
// applied, every 10 s: run 20 s or more to get one) into fsyncs per applied
// operation, for the leader (the node that last logged "leader") and the
// followers.
// Prints one JSON line.
// Usage: node bench/perf/loadRun.mjs REPO_DIR CONCURRENCY SECONDS [NODE_REPO_DIR] [--durable] [--node-count N] [--value-bytes B] [-- NODE_ARGS...]
// (NODE_REPO_DIR: run that build's bin/raft under REPO_DIR's workbench, to
// tell a slower node from a slower workbench; by default REPO_DIR's own.
// --durable: the nodes keep their logs in a fresh data directory, removed
// afterwards (`--data-dir DIR`, before any NODE_ARGS). --node-count: the
// cluster's size, 3 by default. --value-bytes: the workbench writes strings
// of B bytes rather than the integers 0 to 4 (its `--value-bytes`).
// NODE_ARGS: passed to every node.)
import { spawn } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const argv = process.argv.slice(2)
const separator = argv.indexOf("--")
const ownArgs = separator === -1 ? argv : argv.slice(0, separator)
const usage = "usage: node bench/perf/loadRun.mjs REPO_DIR CONCURRENCY SECONDS [NODE_REPO_DIR] [--durable] [--node-count N] " +
  "[--value-bytes B] [-- NODE_ARGS...]"
let durable = false
let nodeCount = "3"
let valueBytes
const positional = []
for (let i = 0; i < ownArgs.length; i++) {
  const arg = ownArgs[i]
  if (arg === "--durable") durable = true
  else if (arg === "--node-count") nodeCount = ownArgs[++i] ?? ""
  else if (arg === "--value-bytes") valueBytes = ownArgs[++i] ?? ""
  else positional.push(arg)
}
const [repo, concurrency, seconds, nodeRepo = repo, ...extra] = positional
const positiveInteger = (text) => /^[1-9]\d*$/.test(text)
if (repo === undefined || !(Number(concurrency) > 0) || !(Number(seconds) > 0) || extra.length > 0) {
  console.error(usage)
  process.exit(2)
}
for (const [flag, text] of [["--node-count", nodeCount], ["--value-bytes", valueBytes ?? "1"]]) {
  if (!positiveInteger(text)) {
    console.error(`${flag} ${JSON.stringify(text)}: expected a positive integer\n${usage}`)
    process.exit(2)
  }
}
// /proc/<pid>/stat counts CPU time in clock ticks: 100 per second on Linux (getconf CLK_TCK).
const ticksPerSecond = 100

/** utime + stime of a process, in ticks, or undefined once it is gone. */
const cpuTicks = (pid) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return Number(fields[11]) + Number(fields[12])
  } catch {
    return undefined
  }
}
const parentOf = (pid) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1])
  } catch {
    return undefined
  }
}

const store = mkdtempSync(join(tmpdir(), "perf-store-"))
const dataDir = durable ? mkdtempSync(join(tmpdir(), "perf-data-")) : undefined
const nodeArgs = [...(dataDir === undefined ? [] : ["--data-dir", dataDir]), ...(separator === -1 ? [] : argv.slice(separator + 1))]
const workbench = spawn("node", [
  join(repo, "dist/workbench/main.js"),
  "test",
  "-w",
  "lin-kv",
  "--bin",
  join(nodeRepo, "bin/raft"),
  "--node-count",
  nodeCount,
  ...(valueBytes === undefined ? [] : ["--value-bytes", valueBytes]),
  "--concurrency",
  String(concurrency),
  "--rate",
  "1000000",
  "--time-limit",
  String(seconds),
  "--seed",
  "1",
  "--store",
  store,
  "--",
  ...nodeArgs
], { stdio: ["ignore", "ignore", "pipe"] })

/** CPU ticks of the workbench and of each of its children (the nodes), now. */
const reading = () => {
  const nodes = new Map()
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || parentOf(entry) !== workbench.pid) continue
    const ticks = cpuTicks(entry)
    if (ticks !== undefined) nodes.set(entry, ticks)
  }
  return { nodes, workbench: cpuTicks(workbench.pid) ?? 0 }
}
let stderr = ""
let start
let end
workbench.stderr.on("data", (chunk) => {
  stderr += chunk
  if (start === undefined && /\[\s*0\.0\//.test(stderr)) start = reading()
  if (start !== undefined && end === undefined && /time limit reached/.test(stderr)) end = reading()
})

const code = await new Promise((resolve) => workbench.on("exit", resolve))
if (start === undefined || end === undefined) {
  console.error(`the workbench (exit ${code}) never reported its client phase's start and end:\n${stderr.slice(-2000)}`)
  process.exit(1)
}
/**
 * Per node: its role at the end (from its last role line) and the operations
 * applied and fsyncs made over all its stats lines.
 */
const nodeStats = (logs) =>
  readdirSync(logs).filter((file) => file.endsWith(".log")).map((file) => {
    const text = readFileSync(join(logs, file), "utf8")
    const roles = [...text.matchAll(/term \d+: (leader|follower|candidate)/g)]
    let operations = 0
    let fsyncs = 0
    for (const [, ops, syncs] of text.matchAll(/stats: last \d+ s: (\d+) operations applied, (\d+) fsyncs/g)) {
      operations += Number(ops)
      fsyncs += Number(syncs)
    }
    return { node: file.replace(/\.log$/, ""), role: roles.at(-1)?.[1] ?? "none", operations, fsyncs }
  })

let results
let nodes
try {
  results = JSON.parse(readFileSync(join(store, "latest", "results.json"), "utf8"))
  nodes = nodeStats(join(store, "latest", "node-logs"))
} catch (error) {
  console.error(`the workbench (exit ${code}) left no results.json or node logs: ${error.message}\n${stderr.slice(-2000)}`)
  process.exit(1)
} finally {
  rmSync(store, { recursive: true, force: true })
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true })
}
const perOperation = ({ fsyncs, operations }) => (operations > 0 ? fsyncs / operations : null)
const stats = results.stats
const nodeTicks = [...end.nodes].reduce((sum, [pid, ticks]) => sum + ticks - (start.nodes.get(pid) ?? 0), 0)
const nodeCpuMs = nodeTicks * 1000 / ticksPerSecond
console.log(JSON.stringify({
  valid: results.valid,
  nodes: end.nodes.size,
  valueBytes: valueBytes === undefined ? null : Number(valueBytes),
  ok: stats.ok,
  fail: stats.fail,
  info: stats.info,
  okPerSecond: stats.throughput.okPerSecond,
  p50: stats.latencyMs?.p50 ?? null,
  p99: stats.latencyMs?.p99 ?? null,
  nodeCpuMs,
  nodeCpuUsPerOk: stats.ok > 0 ? nodeCpuMs * 1000 / stats.ok : null,
  workbenchCpuMs: (end.workbench - start.workbench) * 1000 / ticksPerSecond,
  leaderFsyncsPerOperation: nodes.filter((n) => n.role === "leader").map(perOperation)[0] ?? null,
  followerFsyncsPerOperation: nodes.filter((n) => n.role !== "leader").map(perOperation),
  nodeStats: nodes
}))
