import { Either } from "effect"
import { budgetOf } from "../check.js"
import type { CheckOptions, Verdict } from "../result.js"
import { searchLinearization } from "../search.js"
import type { CounterHistoryOp } from "./history.js"
import { encodeCounter } from "./model.js"
import { type CounterOperation, pairCounterOperations } from "./operations.js"

/** What the checker decides for a counter history. */
export interface CounterCheckResult {
  readonly verdict: Verdict
  readonly operationCount: number
  /** Search configurations remembered: the effort the verdict took. */
  readonly configurations: number
  /** For `unknown`: why the search gave up. */
  readonly reason?: string
  /** For `invalid`: the operation no linearization can place, and why, in a sentence. */
  readonly failure?: { readonly operation: CounterOperation; readonly summary: string }
}

/** "process 7's read 3 (index 40, ok)": every op the search places is an add or an ok read. */
const describe = (op: CounterOperation) => `process ${op.process}'s ${op.f} ${op.value} (index ${op.index}, ${op.outcome})`

/**
 * Checks a counter history (a counter starting at 0; `add` of a delta,
 * `read` of the value) for linearizability, with the same search as the
 * register's over the counter's model. Pure and synchronous; throws
 * `MalformedHistory` when invokes and completions do not pair up.
 */
export const checkCounterHistory = (
  history: ReadonlyArray<CounterHistoryOp>,
  options: Pick<CheckOptions, "timeLimitMs" | "maxConfigurations" | "maxMemoryBytes" | "clock"> = {}
): CounterCheckResult => {
  const operations = pairCounterOperations(history)
  const operationCount = operations.length
  const encoded = encodeCounter(operations)
  if (Either.isLeft(encoded)) return { verdict: "unknown", operationCount, configurations: 0, reason: encoded.left }
  const problem = encoded.right
  const outcome = searchLinearization(problem, budgetOf(options))
  const { configurations } = outcome
  switch (outcome._tag) {
    case "Linearizable":
      return { verdict: "valid", operationCount, configurations }
    case "BudgetExhausted":
      return { verdict: "unknown", operationCount, configurations, reason: outcome.reason }
    case "NotLinearizable": {
      const operation = problem.operations[outcome.failedOp]!
      const held = [...outcome.states].sort((x, y) => x - y).map((state) => state - problem.offset).join(" or ")
      const summary = `${describe(operation)} cannot be linearized: when it returned, the counter could only hold ${held}` +
        (operation.f === "read" ? `, never the ${operation.value} it read` : "")
      return { verdict: "invalid", operationCount, configurations, failure: { operation, summary } }
    }
  }
}
