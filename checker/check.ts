import type { Json } from "../foundation/json.js"
import { describeOperation, explainFailure } from "./explanation.js"
import type { HistoryOp } from "./history.js"
import { encodeRegister } from "./model.js"
import { groupOperations, type Operation } from "./operations.js"
import { firstUnsourcedOp, withoutUnobservedIndeterminate } from "./prepass.js"
import type { CheckOptions, CheckResult, KeyResult, Verdict } from "./result.js"
import { linearizedPrefix, type SearchBudget, searchLinearization } from "./search.js"

export const DEFAULT_TIME_LIMIT_MS = 60_000
export const DEFAULT_MAX_CONFIGURATIONS = 10_000_000
export const DEFAULT_MAX_MEMORY_BYTES = 512 * 2 ** 20
/** Finding the explanation of an invalid key again gets at most this long. */
const EXPLANATION_TIME_LIMIT_MS = 10_000

export const budgetOf = (options: CheckOptions): SearchBudget => ({
  timeLimitMs: options.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS,
  maxConfigurations: options.maxConfigurations ?? DEFAULT_MAX_CONFIGURATIONS,
  maxMemoryBytes: options.maxMemoryBytes ?? DEFAULT_MAX_MEMORY_BYTES,
  clock: options.clock ?? (() => performance.now())
})

/**
 * Checks one key's operations (see `groupOperations`) as a compare-and-set
 * register that starts absent.
 */
export const checkKey = (key: Json, operations: ReadonlyArray<Operation>, options: CheckOptions = {}): KeyResult => {
  const problem = withoutUnobservedIndeterminate(encodeRegister(operations, options.nilReadMatchesAnything ?? false))
  const budget = budgetOf(options)
  const explanationBudget = { ...budget, timeLimitMs: Math.min(budget.timeLimitMs, EXPLANATION_TIME_LIMIT_MS) }
  const operationCount = operations.length
  const unsourced = firstUnsourcedOp(problem)
  // Already known invalid: the search only looks for the explanation, on a shorter budget.
  const outcome = searchLinearization(problem, unsourced >= 0 ? explanationBudget : budget)
  switch (outcome._tag) {
    case "Linearizable":
      if (unsourced >= 0) {
        throw new Error(`checker bug: key ${JSON.stringify(key)} has an unsourced op yet the search linearized it`)
      }
      return { key, verdict: "valid", operationCount, configurations: outcome.configurations }
    case "BudgetExhausted":
      if (unsourced < 0) {
        return { key, verdict: "unknown", operationCount, reason: outcome.reason, configurations: outcome.configurations }
      }
      return {
        key,
        verdict: "invalid",
        operationCount,
        explanation: explainFailure(
          problem,
          unsourced,
          [],
          [],
          `${describeOperation(problem.operations[unsourced]!)} cannot be linearized: no write or cas that was ` +
            `invoked before it returned puts the value it needs in the register. (Finding a fuller explanation ` +
            `ran out of budget: ${outcome.reason}.)`
        )
      }
    case "NotLinearizable": {
      if (outcome.failedOp < 0) throw new Error(`checker bug: key ${JSON.stringify(key)} failed without a failed op`)
      const prefix = linearizedPrefix(problem, outcome.failedOp, explanationBudget)
      const explanation = Array.isArray(prefix)
        ? explainFailure(problem, outcome.failedOp, prefix, outcome.states)
        : explainFailure(problem, outcome.failedOp, [], outcome.states)
      return { key, verdict: "invalid", operationCount, explanation, configurations: outcome.configurations }
    }
  }
}

/** invalid if any key is invalid; else unknown if any is unknown; else valid. */
export const overallVerdict = (keys: ReadonlyArray<KeyResult>): Verdict =>
  keys.some((k) => k.verdict === "invalid")
    ? "invalid"
    : keys.some((k) => k.verdict === "unknown")
    ? "unknown"
    : "valid"

/**
 * Checks a lin-kv history: every key on its own as a compare-and-set
 * register, initially absent, for linearizability. Pure and synchronous;
 * throws `MalformedHistory` when invokes and completions do not pair up.
 * With `stopAtFirstInvalid`, keys after the first invalid one are left out.
 */
export const checkHistory = (history: ReadonlyArray<HistoryOp>, options: CheckOptions = {}): CheckResult => {
  const keys: Array<KeyResult> = []
  for (const group of groupOperations(history)) {
    const result = checkKey(group.key, group.operations, options)
    keys.push(result)
    if (result.verdict === "invalid" && options.stopAtFirstInvalid === true) break
  }
  return { verdict: overallVerdict(keys), keys }
}
