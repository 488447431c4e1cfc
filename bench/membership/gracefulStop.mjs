#!/usr/bin/env node
// The gap a stopped leader leaves, kill -9 against SIGTERM (which makes our
// node hand leadership over before it exits). Runs the workbench against
// bin/raft on 3 nodes (--concurrency 6 --rate 100) with the kill nemesis,
// alternating --kill-signal kill and term, each round with the same seed (so
// the same nodes are stopped at the same times), and the stopped node
// started again at the heal, as the kill nemesis does. The nemesis draws its
// node at random; a stop is a leader's when the node's own log says it led
// then: it logged "stopping: handing leadership over first" at the SIGTERM,
// or its last role line before the stop was "term N: leader". For each stop:
// the longest gap between consecutive ok completions (any client) from 1 s
// before it to 4 s after, cut short at the previous stop's restart and at the
// next stop. Prints every leader's stop (marked "no hand-over" when the node
// logged that it stopped without one), the medians, and their ratio.
// Usage (after `npm run build`): node bench/membership/gracefulStop.mjs [rounds] [seconds per run]
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"

const repo = resolve(import.meta.dirname, "../..")
const rounds = Number(process.argv[2] ?? 3)
const seconds = Number(process.argv[3] ?? 40)
const before = 1000
const after = 4000

const runWorkbench = (signal, seed, store) => {
  const args = [
    "dist/workbench/main.js",
    "test",
    "--bin",
    "bin/raft",
    "--node-count",
    "3",
    "--concurrency",
    "6",
    "--rate",
    "100",
    "--time-limit",
    String(seconds),
    "--nemesis",
    "kill",
    "--nemesis-interval",
    "1.5",
    "--kill-signal",
    signal,
    "--seed",
    String(seed),
    "--store",
    store,
    "--",
    "--data-dir",
    "data"
  ]
  try {
    execFileSync(process.execPath, args, { cwd: repo, stdio: ["ignore", "ignore", "ignore"] })
  } catch {
    // An invalid test exits 1; its verdict is printed below, and its gaps still count.
  }
  const dir = join(store, "latest")
  return {
    results: JSON.parse(readFileSync(join(dir, "results.json"), "utf8")),
    okTimesMs: readFileSync(join(dir, "history.jsonl"), "utf8").trim().split("\n").map((line) => JSON.parse(line))
      .filter((op) => op.type === "ok").map((op) => op.time / 1e6).sort((a, b) => a - b),
    log: (node) => readFileSync(join(dir, "node-logs", `${node}.log`), "utf8")
  }
}

/**
 * Whether the process of `node` that the k-th stop of it ended (k from 0) led
 * at the stop, and for a SIGTERM how its hand-over went, as its log says
 * (each process logs "initialized as" once).
 */
const stopOfLife = (log, k) => {
  const life = log.split(/^.*message="initialized as .*$/m).slice(1)[k] ?? ""
  if (life.includes("stopping: handing leadership over first")) {
    return { leader: true, note: life.includes("stopping without a hand-over") ? " (no hand-over)" : "" }
  }
  const roles = [...life.matchAll(/message="term \d+: (leader|follower|candidate)/g)]
  return { leader: roles.at(-1)?.[1] === "leader", note: "" }
}

const longestGap = (okTimesMs, fromMs, toMs) => {
  const times = okTimesMs.filter((t) => t >= fromMs && t <= toMs)
  let gap = 0
  for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i] - times[i - 1])
  return gap
}

const median = (xs) => {
  if (xs.length === 0) return NaN
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

const gaps = { kill: { leader: [], other: [] }, term: { leader: [], other: [] } }
const store = mkdtempSync(join(tmpdir(), "graceful-stop-"))
const seed0 = Number(process.env.SEED ?? 100)
for (let round = 0; round < rounds; round++) {
  for (const signal of ["kill", "term"]) {
    const seed = seed0 + round
    const { log, okTimesMs, results } = runWorkbench(signal, seed, join(store, `${signal}-${round}`))
    const stops = results.faults.filter((fault) => fault.kind === "kill")
    const stopsOf = new Map()
    const lines = []
    stops.forEach((stop, i) => {
      const node = stop.nodes[0]
      const k = stopsOf.get(node) ?? 0
      stopsOf.set(node, k + 1)
      const { leader, note } = stopOfLife(log(node), k)
      const fromMs = Math.max(stop.startMs - before, i > 0 ? stops[i - 1].endMs : 0)
      const toMs = Math.min(stop.startMs + after, stops[i + 1]?.startMs ?? Infinity)
      const gap = longestGap(okTimesMs, fromMs, toMs)
      gaps[signal][leader ? "leader" : "other"].push(gap)
      if (leader) lines.push(`${(stop.startMs / 1000).toFixed(1)} s ${node} ${Math.round(gap)} ms${note}`)
    })
    console.log(
      `round ${round + 1} ${signal.padEnd(4)} seed ${seed}: ${
        results.valid ? "valid" : "NOT VALID"
      }, ${results.stats.ok} ok of ${results.stats.operations}, ` +
        `${stops.length} stops, leader stops: ${lines.join("; ") || "none"}`
    )
  }
}
rmSync(store, { recursive: true, force: true })

const show = (xs) => `${Math.round(median(xs))} ms (n=${xs.length})`
console.log(`median longest gap around a leader's stop:  kill -9 ${show(gaps.kill.leader)}, SIGTERM ${show(gaps.term.leader)}`)
console.log(`median longest gap around another node's stop: kill -9 ${show(gaps.kill.other)}, SIGTERM ${show(gaps.term.other)}`)
console.log(`ratio kill -9 / SIGTERM (leader stops): ${(median(gaps.kill.leader) / median(gaps.term.leader)).toFixed(1)}`)
