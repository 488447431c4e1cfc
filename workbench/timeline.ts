import type { HistoryOp } from "../checker/history.js"
import { groupOperations, type Operation } from "../checker/operations.js"
import {
  cutShort,
  describeOp,
  escapeHtml,
  longestErrorTextShown,
  processLabel,
  processNodes,
  unlinearizableColor,
  unlinearizableIndices
} from "./html.js"
import { outcomeColors } from "./plots.js"
import type { Results } from "./results.js"

/**
 * timeline.html: every operation of a test, as Jepsen's timeline page draws
 * them: one column per client process, each operation a box from its invoke
 * down to its completion, coloured by outcome. Top to bottom is history
 * order, one row per history line, so two boxes that share a row were in
 * flight together. Plain HTML and CSS, no scripts.
 */

/** Past this many operations the page would be too heavy for a browser; later ones are left out, and the page says so. */
export const maxOperationsDrawn = 10_000

const rowHeight = 16
const columnWidth = 132
const headerHeight = 40

const millis = (nanos: number) => `${(nanos / 1e6).toFixed(1)} ms`

const describeTiming = (op: Operation) =>
  op.completeTime === null
    ? `invoked at ${millis(op.invokeTime)}, never completed`
    : `invoked at ${millis(op.invokeTime)}, completed at ${millis(op.completeTime)} (${millis(op.completeTime - op.invokeTime)})`

export const timelinePage = (history: ReadonlyArray<HistoryOp>, results: Results): string => {
  const operations = groupOperations(history).flatMap((group) => group.operations).sort((a, b) => a.invokePosition - b.invokePosition)
  const drawn = operations.slice(0, maxOperationsDrawn)
  const nodes = processNodes(history)
  const unlinearizable = unlinearizableIndices(results.linearizability)
  const processes = [...new Set(drawn.map((op) => op.process))].sort((a, b) => a - b)
  const column = new Map(processes.map((process, i) => [process, i]))
  // An operation that never completed runs to the end of the history.
  const lastLineOf = (op: Operation) => op.completePosition ?? history.length - 1
  const rows = Math.max(0, ...drawn.map(lastLineOf)) + 1

  const box = (op: Operation) => {
    const lastLine = lastLineOf(op)
    const error = op.completePosition === null ? undefined : history[op.completePosition]!.error
    const classes = ["op", op.outcome, ...(op.completePosition === null ? ["unfinished"] : []),
      ...(unlinearizable.has(op.index) ? ["unlinearizable"] : [])]
    const title = `${processLabel(op.process, nodes)}: key ${JSON.stringify(op.key)}, ${describeOp(op)}, ${op.outcome}` +
      (error === undefined ? "" : ` (error ${error.code}${error.text === "" ? "" : `: ${cutShort(error.text, longestErrorTextShown)}`})`) +
      `; ${describeTiming(op)}; history index ${op.index}` +
      (unlinearizable.has(op.index) ? "; the checker could not linearize it" : "")
    const style = `left:${column.get(op.process)! * columnWidth}px;top:${op.invokePosition * rowHeight}px;` +
      `height:${(lastLine - op.invokePosition + 1) * rowHeight - 2}px`
    return `<div class="${classes.join(" ")}" style="${style}" title="${escapeHtml(title)}">k${escapeHtml(JSON.stringify(op.key))} ${
      escapeHtml(describeOp(op))
    }</div>`
  }
  const headers = processes.map((process) =>
    `<div class="process" style="left:${column.get(process)! * columnWidth}px">process ${process}<br>${
      escapeHtml(nodes.get(process) ?? "")
    }</div>`
  )
  const left = operations.length - drawn.length
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>timeline: lin-kv ${escapeHtml(results.test.startedAt)}</title>
<style>
body { font-family: Helvetica, Arial, sans-serif; margin: 1em; color: #222; }
.legend span { padding: 0 .5em; margin-right: .5em; border-radius: 3px; }
.header { position: sticky; top: 0; height: ${headerHeight}px; background: #fff; z-index: 2; border-bottom: 1px solid #ccc; }
.header, .ops { position: relative; width: ${processes.length * columnWidth}px; }
.process { position: absolute; top: 4px; width: ${columnWidth - 4}px; font-size: 12px; font-weight: 600; }
.ops { height: ${rows * rowHeight}px; }
.op { position: absolute; box-sizing: border-box; width: ${columnWidth - 4}px; overflow: hidden; white-space: nowrap;
  font-size: 11px; line-height: ${rowHeight - 2}px; padding: 0 3px; border-radius: 3px; }
.ok { background: ${outcomeColors.ok}; color: #fff; } .fail { background: ${outcomeColors.fail}; color: #fff; } .info { background: ${outcomeColors.info}; color: #111; }
.unfinished { opacity: .6; border: 1px dashed #111; }
.unlinearizable { background: ${unlinearizableColor}; color: #fff; outline: 2px solid #111; z-index: 1; }
</style></head><body>
<h1>Timeline of <code>${escapeHtml([results.test.bin, ...results.test.binArgs].join(" "))}</code></h1>
<p>${operations.length} operations by ${new Set(operations.map((op) => op.process)).size} client processes (one column each, with its node),
${history.length} history lines. Top to bottom is history order: a box runs from its invoke to its completion, so boxes that
share a row were concurrent. Hover a box for its key, values, times and error. <a href="report.html">Back to the report</a>.</p>
${left > 0 ? `<p><strong>Only the first ${drawn.length} operations are drawn; the other ${left} are in history.jsonl.</strong></p>` : ""}
<p class="legend"><span class="ok">ok</span><span class="fail">fail</span><span class="info">info</span><span class="unlinearizable">not linearizable</span></p>
<div class="header">
${headers.join("\n")}
</div>
<div class="ops">
${drawn.map(box).join("\n")}
</div>
</body></html>
`
}
