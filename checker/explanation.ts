import { canonicalJson, type Json } from "../foundation/json.js"
import type { RegisterProblem } from "./model.js"
import type { Operation } from "./operations.js"
import type { InvalidExplanation, OperationSummary } from "./result.js"

const summarize = (op: Operation): OperationSummary => ({
  process: op.process,
  f: op.f,
  value: op.value,
  outcome: op.outcome,
  invokeTime: op.invokeTime,
  completeTime: op.completeTime,
  index: op.index
})

/** "process 7's cas 2->3 (index 40, info)" */
export const describeOperation = (op: OperationSummary): string => {
  const what = op.f === "cas" && Array.isArray(op.value) && op.value.length === 2
    ? `cas ${canonicalJson(op.value[0] as Json)}->${canonicalJson(op.value[1] as Json)}`
    : `${op.f} ${canonicalJson(op.value)}`
  return `process ${op.process}'s ${what} (index ${op.index}, ${op.outcome})`
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`

const describeState = (state: Json | null): string => (state === null ? "absent" : canonicalJson(state))

/**
 * Builds the explanation for an op of `problem` that no linearization can
 * place. `prefix` lists problem ops in the order they were linearized (empty
 * when the search ran out of budget before finding it again), `states` the
 * register states possible just before the failed op.
 */
export const explainFailure = (
  problem: RegisterProblem,
  failedOp: number,
  prefix: ReadonlyArray<number>,
  states: ReadonlyArray<number>,
  note?: string
): InvalidExplanation => {
  const failed = problem.operations[failedOp]!
  const concurrent: Array<Operation> = []
  for (let j = 0; j < problem.size; j++) {
    if (j === failedOp) continue
    // Open intervals overlap: j invoked before the failed op returned, and returned after it was invoked.
    if (problem.call[j]! < problem.ret[failedOp]! && problem.ret[j]! > problem.call[failedOp]!) {
      concurrent.push(problem.operations[j]!)
    }
  }
  const possibleStates = [...states].sort((x, y) => x - y).map((s) => problem.values.valueOf(s))
  const held = possibleStates.length === 0 ? "" : ` the register could only hold ${possibleStates.map(describeState).join(" or ")}`
  const why = failed.f === "read" && held !== ""
    ? `When it returned,${held}, never the ${describeState(failed.value)} it read.`
    : failed.f === "cas" && held !== "" && Array.isArray(failed.value)
    ? `When it returned,${held}, never the ${describeState(failed.value[0] as Json)} it compared against.`
    : `No placement of it among the ${concurrent.length} operations concurrent with it is consistent.`
  const summary = note ??
    `${describeOperation(summarize(failed))} cannot be linearized. ${why} ` +
      `A linearization of ${plural(prefix.length, "operation")} gets this far; ${
        concurrent.length === 1 ? "1 operation overlaps it" : `${concurrent.length} operations overlap it`
      }.`
  return {
    linearizedPrefix: prefix.map((i) => summarize(problem.operations[i]!)),
    failedOperation: summarize(failed),
    concurrentOperations: concurrent.map(summarize),
    possibleStates,
    summary
  }
}

const PREFIX_SHOWN = 8
const TIMELINE_WIDTH = 40

/**
 * A plain-text rendering for a terminal: the summary, the end of the
 * linearized prefix, and the failed op with its concurrent ops drawn as bars
 * on one time axis ("|" invoke, "=" in flight, ">" never completed).
 */
export const renderExplanationText = (explanation: InvalidExplanation): string => {
  const lines: Array<string> = [explanation.summary]
  const prefix = explanation.linearizedPrefix
  if (prefix.length > 0) {
    const shown = prefix.slice(-PREFIX_SHOWN)
    lines.push(
      `Linearized prefix (${prefix.length} operations${prefix.length > shown.length ? `, last ${shown.length} shown` : ""}):`
    )
    for (const op of shown) lines.push(`  ${describeOperation(op)}`)
  }
  lines.push(
    `Register possible just before it: ${explanation.possibleStates.map(describeState).join(", ") || "unknown"}`
  )
  const ops = [explanation.failedOperation, ...explanation.concurrentOperations]
  const start = Math.min(...ops.map((op) => op.invokeTime))
  const end = Math.max(...ops.map((op) => op.completeTime ?? op.invokeTime))
  const span = Math.max(end - start, 1)
  const column = (t: number) => Math.min(TIMELINE_WIDTH - 1, Math.floor(((t - start) / span) * (TIMELINE_WIDTH - 1)))
  lines.push("Failed operation (*) and the operations concurrent with it:")
  for (const op of ops) {
    const from = column(op.invokeTime)
    const open = op.completeTime === null || op.outcome === "info"
    const to = open ? TIMELINE_WIDTH - 1 : column(op.completeTime!)
    const bar = " ".repeat(from) + "|" + "=".repeat(Math.max(to - from - 1, 0)) + (to > from ? (open ? ">" : "|") : "")
    const mark = op === explanation.failedOperation ? "*" : " "
    lines.push(`${mark} ${bar.padEnd(TIMELINE_WIDTH)}  ${describeOperation(op)}`)
  }
  return lines.join("\n")
}
