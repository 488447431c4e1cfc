import { showStderrTail } from "./cluster.js"
import { faultKinds, type FaultWindow } from "./nemesis.js"
import { crashProblem } from "./results.js"
import type { TestRun } from "./runner.js"

const percent = (fraction: number) => `${(fraction * 100).toFixed(1)}%`
const seconds = (ms: number) => (ms / 1000).toFixed(1)

/** The faults listed one a line, at most this many (all of them are in results.json). */
const faultsShown = 20

/** How many faults of each kind, then each one: when and what (a heal that went wrong is among the problems). */
const faultLines = (faults: ReadonlyArray<FaultWindow>): ReadonlyArray<string> => {
  if (faults.length === 0) return ["  faults: none"]
  const counts = faultKinds.map((kind) => [kind, faults.filter((f) => f.kind === kind).length] as const).filter(([, n]) => n > 0)
  return [
    `  faults: ${counts.map(([kind, n]) => `${n} ${kind}`).join(", ")}`,
    ...faults.slice(0, faultsShown).map((f) => `    ${seconds(f.startMs)}-${seconds(f.endMs)} s: ${f.description}`),
    ...(faults.length > faultsShown ? [`    ... and ${faults.length - faultsShown} more in results.json`] : [])
  ]
}

/** What a person reads at the end of a test, before the verdict line. */
export const summaryText = ({ dir, results }: TestRun): string => {
  const { stats, network, linearizability } = results
  const keys = linearizability.keys
  const count = (verdict: string) => keys.filter((key) => key.verdict === verdict).length
  const crashLines = results.crashes.map(crashProblem)
  const lines = [
    `Results in ${dir}`,
    ...results.crashes.map((crash, i) => `  CRASH: ${crashLines[i]}; ${showStderrTail(crash.stderrTail, crash.logPath)}`),
    `  operations ${stats.operations}: ok ${stats.ok}, fail ${stats.fail}, info ${stats.info}` +
    (stats.unfinished > 0 ? `, unfinished ${stats.unfinished}` : ""),
    `  throughput ${stats.throughput.okPerSecond} ok/s (${stats.throughput.completedPerSecond} completed/s), availability ${
      percent(stats.availability)
    }`,
    stats.latencyMs === null
      ? "  latency: no ok operation"
      : `  latency of ok ops (ms): p50 ${stats.latencyMs.p50}, p90 ${stats.latencyMs.p90}, p99 ${stats.latencyMs.p99}, max ${stats.latencyMs.max}`,
    `  messages per op: ${stats.messagesPerOperation.total} (${stats.messagesPerOperation.serverToServer} between nodes and services)`,
    `  keys: ${keys.length} checked, ${count("valid")} linearizable, ${count("invalid")} not, ${count("unknown")} unknown`,
    ...faultLines(results.faults)
  ]
  if (network.unknownSrc + network.unknownDest > 0) {
    lines.push(
      `  WARNING: nodes printed ${network.unknownSrc} message(s) from an unknown src, ${network.unknownDest} to an unknown dest; dropped:`
    )
    for (const sample of network.samples.slice(0, 5)) lines.push(`    ${sample.node}: ${sample.problem}: ${sample.line}`)
  }
  const malformed = results.malformedReplies
  if (malformed.sample !== null) {
    lines.push(
      `  WARNING: ${malformed.count} malformed repl${
        malformed.count === 1 ? "y" : "ies"
      } (recorded as error 13), the first from ${malformed.sample.node}:`,
      `    ${malformed.sample.body}`,
      `    ${malformed.sample.problem}`,
      `    expected ${malformed.expected}`
    )
  }
  // The crashes are among the problems too, and are listed above already, with their stderr.
  for (const problem of results.problems.filter((p) => !crashLines.includes(p))) lines.push(`  ${problem}`)
  return lines.join("\n")
}
