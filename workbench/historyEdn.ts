import type { HistoryOp } from "../checker/history.js"
import type { Json } from "../foundation/json.js"

/** A JSON value as EDN: null is nil, arrays are vectors, objects maps with string keys (JSON's string escapes are EDN's). */
const ednOf = (value: Json): string => {
  if (value === null) return "nil"
  if (typeof value === "string") return JSON.stringify(value)
  if (typeof value === "number" || typeof value === "boolean") return String(value)
  if (Array.isArray(value)) return `[${value.map(ednOf).join(" ")}]`
  return `{${Object.entries(value).map(([key, item]) => `${JSON.stringify(key)} ${ednOf(item)}`).join(", ")}}`
}

/**
 * One history line as Jepsen writes it in history.edn (one operation map a
 * line): `:value` is the `[key value]` tuple of Jepsen's independent keys,
 * times in nanoseconds.
 * A read that found the key absent is an ok read of nil, which Jepsen's
 * cas-register (and the checker reading EDN) takes as matching any value.
 */
export const ednOperation = (op: HistoryOp): string =>
  `{:type :${op.type}, :f :${op.f}, :value [${ednOf(op.key)} ${ednOf(op.value)}], ` +
  `:process ${op.process}, :time ${op.time}, :index ${op.index}}`
