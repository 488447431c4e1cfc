// The CPU one `bin/raft` node spends per request, measured without a
// workbench: a one-node cluster gets OPERATIONS requests (writes, reads and
// cas in turn, over 100 keys) on its stdin, WINDOW at a time, and its CPU
// time from /proc (user + system, all its threads) over the requests is
// divided by their number. The work is the same on every run, so on a shared
// machine this moves far less than throughput or latency do.
// Usage: node bench/perf/singleNodeCpu.mjs REPO_DIR [OPERATIONS] [WINDOW]
import { spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { createInterface } from "node:readline"

const [repo, operationsArg, windowArg] = process.argv.slice(2)
const operations = Number(operationsArg ?? 20000)
const window = Number(windowArg ?? 20)
if (repo === undefined || !(operations > 0) || !(window > 0)) {
  console.error("usage: node bench/perf/singleNodeCpu.mjs REPO_DIR [OPERATIONS] [WINDOW]")
  process.exit(2)
}
const ticksPerSecond = 100 // /proc/<pid>/stat's clock ticks (getconf CLK_TCK)
const cpuTicks = (pid) => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  return Number(fields[11]) + Number(fields[12])
}

// bin/raft execs node: the pid is the node's own.
const node = spawn(join(repo, "bin/raft"), [], { stdio: ["pipe", "pipe", "ignore"] })
const replies = createInterface({ input: node.stdout })
const send = (body) => node.stdin.write(`${JSON.stringify({ src: "c1", dest: "n1", body })}\n`)
const request = (i) => {
  const key = i % 100
  const kind = i % 3
  return kind === 0
    ? { type: "write", msg_id: i, key, value: i }
    : kind === 1
    ? { type: "read", msg_id: i, key }
    : { type: "cas", msg_id: i, key, from: i - 2, to: i }
}

// First a write until one succeeds (the node elects itself), then `warmUp`
// requests for the JIT, then the measured ones.
const warmUp = 5000
let start
let sent = 0
let answered = 0
let ok = 0
const done = new Promise((resolve) => {
  replies.on("line", (line) => {
    const body = JSON.parse(line).body
    if (body.in_reply_to === 0) {
      if (body.type !== "init_ok") throw new Error(`init answered with ${line}`)
    } else if (body.in_reply_to === -1) {
      if (body.type !== "write_ok") return void send({ type: "write", msg_id: -1, key: -1, value: 0 })
      while (sent < window) send(request(++sent))
    } else {
      answered += 1
      if (answered === warmUp) start = cpuTicks(node.pid)
      if (answered > warmUp && body.type !== "error") ok += 1
      if (sent < warmUp + operations) send(request(++sent))
      if (answered === warmUp + operations) resolve()
    }
  })
})
send({ type: "init", msg_id: 0, node_id: "n1", node_ids: ["n1"] })
send({ type: "write", msg_id: -1, key: -1, value: 0 })
await done
const cpuMs = (cpuTicks(node.pid) - start) * 1000 / ticksPerSecond
node.stdin.end()
console.log(JSON.stringify({ operations, ok, cpuMs, cpuUsPerOperation: cpuMs * 1000 / operations }))
