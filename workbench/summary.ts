import { showStderrTail } from "./cluster.js"
import { crashProblem } from "./results.js"
import type { TestRun } from "./runner.js"

const percent = (fraction: number) => `${(fraction * 100).toFixed(1)}%`

/** What a person reads at the end of a test, before the verdict line. */
export const summaryText = ({ dir, results }: TestRun): string => {
  const { stats, network, linearizability } = results
  const keys = linearizability.keys
  const count = (verdict: string) => keys.filter((key) => key.verdict === verdict).length
  const lines = [
    `Results in ${dir}`,
    ...results.crashes.map((crash) => `  CRASH: ${crashProblem(crash)}; ${showStderrTail(crash.stderrTail, crash.logPath)}`),
    `  operations ${stats.operations}: ok ${stats.ok}, fail ${stats.fail}, info ${stats.info}` +
    (stats.unfinished > 0 ? `, unfinished ${stats.unfinished}` : ""),
    `  throughput ${stats.throughput.okPerSecond} ok/s (${stats.throughput.completedPerSecond} completed/s), availability ${percent(stats.availability)}`,
    stats.latencyMs === null
      ? "  latency: no ok operation"
      : `  latency of ok ops (ms): p50 ${stats.latencyMs.p50}, p90 ${stats.latencyMs.p90}, p99 ${stats.latencyMs.p99}, max ${stats.latencyMs.max}`,
    `  messages per op: ${stats.messagesPerOperation.total} (${stats.messagesPerOperation.serverToServer} between nodes and services)`,
    `  keys: ${keys.length} checked, ${count("valid")} linearizable, ${count("invalid")} not, ${count("unknown")} unknown`,
    `  partitions: ${results.partitions.length}`
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
      `  WARNING: ${malformed.count} malformed repl${malformed.count === 1 ? "y" : "ies"} (recorded as error 13), the first from ${malformed.sample.node}:`,
      `    ${malformed.sample.body}`,
      `    ${malformed.sample.problem}`,
      `    expected ${malformed.expected}`
    )
  }
  for (const problem of results.problems) lines.push(`  ${problem}`)
  return lines.join("\n")
}
