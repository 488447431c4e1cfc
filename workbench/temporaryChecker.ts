// TEMPORARY: stands in for checker/'s checkHistory until it lands; deleted then.
import type { HistoryOp } from "../checker/history.js"
import type { CheckResult, KeyResult, OperationSummary } from "../checker/result.js"
import { canonicalJson, type Json } from "../src/protocol/json.js"

interface Op extends OperationSummary {
  readonly end: number
}

const apply = (state: string, op: Op): string | undefined => {
  if (op.f === "read") return canonicalJson(op.value) === state ? state : undefined
  if (op.f === "write") return canonicalJson(op.value)
  const [from, to] = op.value as [Json, Json]
  return canonicalJson(from) === state ? canonicalJson(to) : undefined
}

const checkKey = (key: Json, ops: ReadonlyArray<Op>): KeyResult => {
  const seen = new Set<string>()
  const required = ops.filter((op) => op.outcome === "ok")
  const search = (done: bigint, state: string, count: number): boolean => {
    if (count === required.length) return true
    const memo = `${done}:${state}`
    if (seen.has(memo)) return false
    seen.add(memo)
    let horizon = Infinity
    ops.forEach((op, i) => {
      if (op.outcome === "ok" && (done & (1n << BigInt(i))) === 0n) horizon = Math.min(horizon, op.end)
    })
    return ops.some((op, i) => {
      if ((done & (1n << BigInt(i))) !== 0n || op.invokeTime > horizon) return false
      const next = apply(state, op)
      return next !== undefined && search(done | (1n << BigInt(i)), next, count + (op.outcome === "ok" ? 1 : 0))
    })
  }
  const valid = search(0n, "null", 0)
  return valid
    ? { key, verdict: "valid", operationCount: ops.length }
    : {
      key,
      verdict: "invalid",
      operationCount: ops.length,
      explanation: {
        linearizedPrefix: [],
        failedOperation: required[0]!,
        concurrentOperations: [],
        possibleStates: [],
        summary: `key ${JSON.stringify(key)}: no linearization of its ${ops.length} operations exists`
      }
    }
}

export const checkHistory = (history: ReadonlyArray<HistoryOp>): CheckResult => {
  const open = new Map<number, HistoryOp>()
  const byKey = new Map<string, { key: Json; ops: Array<Op> }>()
  for (const line of history) {
    if (line.type === "invoke") {
      open.set(line.process, line)
      continue
    }
    const invoke = open.get(line.process)!
    open.delete(line.process)
    if (line.type === "fail") continue
    const group = byKey.get(canonicalJson(line.key)) ?? { key: line.key, ops: [] }
    byKey.set(canonicalJson(line.key), group)
    group.ops.push({
      process: line.process,
      f: line.f,
      value: line.f === "read" ? (line.type === "ok" ? line.value : null) : line.value,
      outcome: line.type,
      invokeTime: invoke.time,
      completeTime: line.time,
      index: invoke.index,
      end: line.type === "info" ? Infinity : line.time
    })
  }
  const keys = [...byKey.values()].map((g) => checkKey(g.key, g.ops.filter((op) => op.f !== "read" || op.outcome === "ok")))
  return { verdict: keys.some((k) => k.verdict === "invalid") ? "invalid" : "valid", keys }
}
