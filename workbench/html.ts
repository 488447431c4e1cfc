import type { HistoryOp } from "../checker/history.js"
import type { CheckResult, OperationSummary } from "../checker/result.js"
import type { Json } from "../foundation/json.js"

/** What the HTML pages (report.html, timeline.html) write the same way. */

export const escapeHtml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

/** The most characters of a value's JSON text a page shows; past it the text is cut, and its length said. */
export const longestValueShown = 24

/** The most characters of a node's error text a page shows. */
export const longestErrorTextShown = 200

/** The text's first `longest` characters and its length when it is longer. */
export const cutShort = (text: string, longest: number): string =>
  text.length <= longest ? text : `${text.slice(0, longest)}… (${text.length} characters)`

/**
 * A value as JSON text, cut short when long: a run with `--value-bytes 65536`
 * would otherwise put 64 KiB on the page for every operation.
 */
export const showValue = (value: Json): string => cutShort(JSON.stringify(value), longestValueShown)

/** "read 3", "write 1", "cas 2→4": what an operation did, in a few characters. */
export const describeOp = (op: OperationSummary) =>
  op.f === "read"
    ? `read ${op.outcome === "ok" ? showValue(op.value) : "?"}`
    : op.f === "write"
    ? `write ${showValue(op.value)}`
    : `cas ${Array.isArray(op.value) ? `${showValue(op.value[0] ?? null)}→${showValue(op.value[1] ?? null)}` : showValue(op.value)}`

/** The colour of the operation the checker could not linearize, apart from the ok, fail and info colours. */
export const unlinearizableColor = "#7b2cbf"

/** History indices of the invokes of the operations the checker could not linearize, one per invalid key. */
export const unlinearizableIndices = (check: CheckResult): ReadonlySet<number> =>
  new Set(check.keys.flatMap((key) => (key.explanation === undefined ? [] : [key.explanation.failedOperation.index])))

/** The node each client process sent its requests to (Jepsen binds a process to one node). */
export const processNodes = (history: ReadonlyArray<HistoryOp>): ReadonlyMap<number, string> =>
  new Map(history.flatMap((op) => (op.type === "invoke" && op.node !== undefined ? [[op.process, op.node] as const] : [])))

/** "process 3 (n0)", or "process 3" when its node is not known. */
export const processLabel = (process: number, nodes: ReadonlyMap<number, string>) =>
  nodes.has(process) ? `process ${process} (${nodes.get(process)})` : `process ${process}`
