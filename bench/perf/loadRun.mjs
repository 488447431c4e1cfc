// One saturated lin-kv load against one build of the project: the workbench
// (of that build) runs 3 `bin/raft` nodes, no faults, a fixed concurrency and
// an unreachable rate, while the CPU time of every process the workbench
// starts (the nodes) is read from /proc: the CPU they spent from the start of
// the client phase (the workbench's first progress line) to its time limit
// (its "time limit reached" line; the few operations still in flight then
// are left out), start-up and shutdown left out.
// Prints one JSON line.
// Usage: node bench/perf/loadRun.mjs REPO_DIR CONCURRENCY SECONDS [NODE_REPO_DIR]
// (NODE_REPO_DIR: run that build's bin/raft under REPO_DIR's workbench, to
// tell a slower node from a slower workbench; by default REPO_DIR's own.)
import { spawn } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const [repo, concurrency, seconds, nodeRepo = repo] = process.argv.slice(2)
if (repo === undefined || !(Number(concurrency) > 0) || !(Number(seconds) > 0)) {
  console.error("usage: node bench/perf/loadRun.mjs REPO_DIR CONCURRENCY SECONDS [NODE_REPO_DIR]")
  process.exit(2)
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
const workbench = spawn("node", [
  join(repo, "dist/workbench/main.js"), "test", "-w", "lin-kv", "--bin", join(nodeRepo, "bin/raft"),
  "--node-count", "3", "--concurrency", String(concurrency), "--rate", "1000000",
  "--time-limit", String(seconds), "--seed", "1", "--store", store
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
let results
try {
  results = JSON.parse(readFileSync(join(store, "latest", "results.json"), "utf8"))
} catch (error) {
  console.error(`the workbench (exit ${code}) left no results.json: ${error.message}\n${stderr.slice(-2000)}`)
  process.exit(1)
} finally {
  rmSync(store, { recursive: true, force: true })
}
const stats = results.stats
const nodeTicks = [...end.nodes].reduce((sum, [pid, ticks]) => sum + ticks - (start.nodes.get(pid) ?? 0), 0)
const nodeCpuMs = nodeTicks * 1000 / ticksPerSecond
console.log(JSON.stringify({
  valid: results.valid,
  nodes: end.nodes.size,
  ok: stats.ok,
  okPerSecond: stats.throughput.okPerSecond,
  p50: stats.latencyMs?.p50 ?? null,
  p99: stats.latencyMs?.p99 ?? null,
  nodeCpuMs,
  nodeCpuUsPerOk: stats.ok > 0 ? nodeCpuMs * 1000 / stats.ok : null,
  workbenchCpuMs: (end.workbench - start.workbench) * 1000 / ticksPerSecond
}))
