import type { InvalidExplanation } from "../checker/result.js"
import { describeOp, escapeHtml as escape, processLabel, showValue as show, unlinearizableColor } from "./html.js"
import { outcomeColors } from "./plots.js"
import { crashProblem, type Results, verdictLine } from "./results.js"

/** The HTML report of one test: the verdict, the numbers, the plots, and why each invalid key is invalid. */

/** How many of the linearized operations just before the failure are drawn; older ones matter less. */
const prefixShown = 12

/**
 * The operations around a linearizability failure as bars on a time line, one
 * row per client process (labelled with its node): the operation that could
 * not be linearized in its own colour (class `unlinearizable`), the ones
 * concurrent with it in orange, the last linearized ones in grey.
 */
export const explanationTimeline = (explanation: InvalidExplanation, nodes: ReadonlyMap<number, string>): string => {
  const prefix = explanation.linearizedPrefix.slice(-prefixShown)
  const ops = [
    ...prefix.map((op) => ({ op, role: "linearized" })),
    ...explanation.concurrentOperations.map((op) => ({ op, role: "concurrent" })),
    { op: explanation.failedOperation, role: "failed" }
  ]
  const processes = [...new Set(ops.map(({ op }) => op.process))].sort((a, b) => a - b)
  const start = Math.min(...ops.map(({ op }) => op.invokeTime))
  const end = Math.max(...ops.map(({ op }) => op.completeTime ?? op.invokeTime)) + 1
  const span = Math.max(1, end - start)
  const rowHeight = 34
  const labelWidth = 140
  const barsWidth = 660
  // Room on the right for the label of an operation that starts near the end.
  const labelRoom = 160
  const toX = (t: number) => labelWidth + ((t - start) / span) * barsWidth
  const colors: Record<string, string> = { linearized: "#9aa5b1", concurrent: outcomeColors.info, failed: unlinearizableColor }
  const bars = ops.map(({ op, role }) => {
    const row = processes.indexOf(op.process)
    const x = toX(op.invokeTime)
    const w = Math.max(3, toX(op.completeTime ?? end) - x)
    const y = 30 + row * rowHeight
    const title = `${describeOp(op)}: ${op.outcome}, invoked ${(op.invokeTime / 1e6).toFixed(1)} ms` +
      (op.completeTime === null ? ", never completed" : `, completed ${(op.completeTime / 1e6).toFixed(1)} ms`) +
      ` (history index ${op.index})`
    return `<g${role === "failed" ? ` class="unlinearizable"` : ""}><title>${escape(title)}</title><rect x="${
      x.toFixed(1)
    }" y="${y}" width="${w.toFixed(1)}" height="22" rx="3" fill="${colors[role]}"` +
      `${op.completeTime === null ? ` fill-opacity="0.5" stroke="${colors[role]}" stroke-dasharray="4 3"` : ""}/>` +
      `<text x="${(x + 4).toFixed(1)}" y="${y + 15}" font-size="12" fill="#111">${escape(`${describeOp(op)} ${op.outcome}`)}</text></g>`
  })
  const labels = processes.map((p, row) =>
    `<text x="4" y="${30 + row * rowHeight + 15}" font-size="12">${escape(processLabel(p, nodes))}</text>`
  )
  const svgHeight = 50 + processes.length * rowHeight
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${
    labelWidth + barsWidth + labelRoom
  }" height="${svgHeight}" font-family="Helvetica, Arial, sans-serif">
<text x="${labelWidth}" y="16" font-size="11" fill="#555">${(start / 1e6).toFixed(1)} ms</text>
<text x="${labelWidth + barsWidth}" y="16" font-size="11" fill="#555" text-anchor="end">${(end / 1e6).toFixed(1)} ms</text>
${labels.join("\n")}
${bars.join("\n")}
</svg>`
}

const row = (label: string, value: string) => `<tr><th>${escape(label)}</th><td>${escape(value)}</td></tr>`

/**
 * Every fault the nemesis injected, in order, with its time span (seconds
 * since the clients started) and its outcome: how its heal went, or what
 * came of a transfer or a membership change.
 */
const faultsTable = (faults: Results["faults"]): string =>
  faults.length === 0 ? "" : `<h2>Faults</h2>
<table>
<tr><th>from</th><th>to</th><th>kind</th><th>fault</th><th>outcome</th></tr>
${
    faults.map((f) =>
      `<tr><td>${(f.startMs / 1000).toFixed(1)} s</td><td>${(f.endMs / 1000).toFixed(1)} s</td><td>${escape(f.kind)}</td><td>${
        escape(f.description)
      }</td><td>${escape(f.problem ?? f.transfer?.outcome ?? f.membership?.outcome ?? "healed")}</td></tr>`
    ).join("\n")
  }
</table>`

/** `nodes`: the node of each client process, as `processNodes` gives it. */
export const htmlReport = (
  results: Results,
  plots: { readonly latency: string; readonly rate: string },
  nodes: ReadonlyMap<number, string>
): string => {
  const { stats, network, test } = results
  const invalidKeys = results.linearizability.keys.filter((key) => key.verdict === "invalid")
  const keyCount = (verdict: string) => results.linearizability.keys.filter((key) => key.verdict === verdict).length
  const latency = stats.latencyMs
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>lin-kv ${escape(test.startedAt)}: ${results.valid ? "valid" : "invalid"}</title>
<style>
body { font-family: Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 960px; color: #222; }
h1 { font-size: 1.5em; } .verdict { font-size: 1.3em; padding: .6em 1em; border-radius: 6px; }
.valid { background: #e3f4e6; } .invalid { background: #fbe3e6; }
table { border-collapse: collapse; margin: 1em 0; } th, td { text-align: left; padding: .25em .8em; border-bottom: 1px solid #eee; }
th { font-weight: 600; } code { background: #f4f4f4; padding: 0 .3em; } .legend span { padding: 0 .5em; margin-right: .5em; border-radius: 3px; }
</style></head><body>
<h1>lin-kv test of <code>${escape([test.bin, ...test.binArgs].join(" "))}</code></h1>
<p class="verdict ${results.valid ? "valid" : "invalid"}">${escape(verdictLine(results))}</p>
${results.problems.length > 0 ? `<ul>${results.problems.map((p) => `<li>${escape(p)}</li>`).join("")}</ul>` : ""}
<h2>Test</h2>
<table>
${row("nodes", test.nodes.join(", "))}
${row("clients", `${test.concurrency}, ${test.rate} ops/s target, client timeout ${test.clientTimeoutMs} ms`)}
${row("time limit", `${test.timeLimitSeconds} s`)}
${row("values written", test.valueBytes === null ? "the integers 0 to 4" : `strings of ${test.valueBytes} bytes`)}
${row("latency", `${test.latencyMs} ms, ${test.latencyDistribution}`)}
${
    row("nemesis",
      test.nemesis.length > 0 ? `${test.nemesis.join(", ")} every ${test.nemesisIntervalSeconds} s (${results.faults.length} faults)`
        : "none")
  }
${row("seed", String(test.seed))}
${row("started", test.startedAt)}
</table>
${faultsTable(results.faults)}
<h2>Results</h2>
<table>
${
    row("operations",
      `${stats.operations}: ok ${stats.ok}, fail ${stats.fail}, info ${stats.info}${
        stats.unfinished > 0 ? `, unfinished ${stats.unfinished}` : ""
      }`)
  }
${
    (["read", "write", "cas"] as const).map((f) =>
      row(`  ${f}`, `ok ${stats.byFunction[f].ok}, fail ${stats.byFunction[f].fail}, info ${stats.byFunction[f].info}`)
    ).join("\n")
  }
${
    row("keys",
      `${results.linearizability.keys.length} checked: ${keyCount("valid")} linearizable, ${keyCount("invalid")} not, ${
        keyCount("unknown")
      } unknown`)
  }
${row("throughput", `${stats.throughput.okPerSecond} ok/s, ${stats.throughput.completedPerSecond} completed/s`)}
${row("availability", `${(stats.availability * 100).toFixed(1)}% of operations ok`)}
${
    row("latency of ok operations",
      latency === null ? "none" : `p50 ${latency.p50} ms, p90 ${latency.p90} ms, p99 ${latency.p99} ms, max ${latency.max} ms`)
  }
${
    row("messages per operation",
      `${stats.messagesPerOperation.total} (${stats.messagesPerOperation.serverToServer} between nodes and services)`)
  }
${
    row("network",
      `${network.nodeToNode} node↔node, ${network.toServices} to services and ${network.fromServices} back, ${network.cutByPartition} dropped by partitions, ${network.toDownNode} lost at nodes that were down; ${network.stdoutCutOff.length} node stdout(s) cut off by a line that is no message, ${network.unknownSrc} unknown src, ${network.unknownDest} unknown dest`)
  }
${
    row("malformed replies", results.malformedReplies.sample === null ? "none"
      : `${results.malformedReplies.count}; the first, from ${results.malformedReplies.sample.node}: ${results.malformedReplies.sample.body} (${results.malformedReplies.sample.problem}); expected ${results.malformedReplies.expected}`)
  }
${row("node crashes", results.crashes.length === 0 ? "none" : results.crashes.map(crashProblem).join("; "))}
</table>
${
    network.samples.length > 0
      ? `<h3>Rejected node output</h3><pre>${escape(network.samples.map((s) => `${s.node}: ${s.problem}: ${s.line}`).join("\n"))}</pre>`
      : ""
  }
<h2>Latency</h2>
${plots.latency}
<h2>Throughput</h2>
${plots.rate}
${
    invalidKeys.length === 0 ? "" : `<h2>Why the history is not linearizable</h2>
<p class="legend"><span style="background:${unlinearizableColor}; color: #fff">not linearizable</span><span style="background:${outcomeColors.info}">concurrent with it</span><span style="background:#9aa5b1">linearized before it</span> Hover a bar for its times; <a href="timeline.html">timeline.html</a> shows it among every operation of the test.</p>
${
      invalidKeys.slice(0, 5).map((key) =>
        `<h3>key ${escape(show(key.key))}</h3>
<p>${escape(key.explanation?.summary ?? "no explanation")}</p>
${
          key.explanation ?
            `<p>Possible values just before it: ${
              escape(key.explanation.possibleStates.map((s) => (s === null ? "absent" : show(s))).join(", ") || "none")
            }</p>
${explanationTimeline(key.explanation, nodes)}` : ""
        }`
      ).join("\n")
    }
${invalidKeys.length > 5 ? `<p>…and ${invalidKeys.length - 5} more invalid keys in results.json.</p>` : ""}`
  }
<p>Files: <a href="timeline.html">timeline.html</a> (every operation, one column per process), <a href="results.json">results.json</a>, <a href="history.jsonl">history.jsonl</a>, <a href="latency.svg">latency.svg</a>, <a href="rate.svg">rate.svg</a>, <a href="node-logs/">node-logs/</a></p>
</body></html>
`
}
