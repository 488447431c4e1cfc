import { parseEDNString } from "edn-data"
import type { Json } from "../../foundation/json.js"
import type { HistoryOp } from "../history.js"
import { MalformedHistory } from "../operations.js"

/**
 * Jepsen histories in EDN, in the two layouts the project meets:
 * - "independent-keys": a Maelstrom/Jepsen `history.edn`, one op map per
 *   line, each `:value` a `[key value]` tuple (lin-kv);
 * - "single-register": the whole file one vector or list of op maps on a
 *   single register, like Knossos' test data (the key is then null).
 * Ops of non-client processes (`:nemesis`) are left out. Where the file has
 * no `:index` or `:time`, the op's position stands in for them.
 */
export type EdnLayout = "independent-keys" | "single-register"

export interface EdnHistory {
  readonly layout: EdnLayout
  readonly ops: ReadonlyArray<HistoryOp>
}

const parseOptions = { mapAs: "object", keywordAs: "string", listAs: "array", setAs: "array" } as const

/**
 * edn-data gives a tagged element (`#jepsen.history.Op{...}`, as Jepsen 0.3
 * writes every op) as `{ tag, val }`: the record's own map is the value.
 */
const untagged = (value: unknown): unknown => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value
  const keys = Object.keys(value)
  return keys.length === 2 && "tag" in value && "val" in value && typeof value.tag === "string"
    ? untagged(value.val)
    : value
}

/** EDN data (as edn-data gives it with the options above) as JSON. */
const toJson = (tagged: unknown): Json => {
  const value = untagged(tagged)
  if (value === null || typeof value === "string" || typeof value === "boolean") return value
  if (typeof value === "number") return value
  if (typeof value === "bigint") {
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString()
  }
  if (Array.isArray(value)) return value.map(toJson)
  if (value instanceof Date) return value.toISOString()
  if (typeof value === "object") {
    const out: Record<string, Json> = {}
    for (const [k, v] of Object.entries(value)) out[k] = toJson(v)
    return out
  }
  return String(value)
}

const TYPES = new Set(["invoke", "ok", "fail", "info"])
const FUNCTIONS = new Set(["read", "write", "cas"])

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value)

export const parseEdnHistory = (text: string): EdnHistory => {
  let top: unknown
  try {
    // Wrapped in a vector, both layouts parse in one call; the newline ends a trailing comment.
    top = parseEDNString(`[${text}\n]`, parseOptions)
  } catch (error) {
    throw new MalformedHistory({ message: `not EDN: ${error instanceof Error ? error.message : String(error)}` })
  }
  // edn-data gives null rather than an error for unterminated input.
  if (!Array.isArray(top)) throw new MalformedHistory({ message: "not EDN: unbalanced brackets or unterminated input" })
  const items: Array<unknown> = top
  const single = items.length === 1 && Array.isArray(items[0])
  const layout: EdnLayout = single ? "single-register" : "independent-keys"
  const maps = single ? (items[0] as Array<unknown>) : items
  const ops: Array<HistoryOp> = []
  maps.forEach((element, position) => {
    const item = untagged(element)
    const where = `op ${position + 1}`
    if (!isRecord(item)) throw new MalformedHistory({ message: `${where}: not a map` })
    const { f, process, type } = item
    // Only client processes are numbered; the nemesis and other actors are not operations on the store.
    if (typeof process !== "number" && typeof process !== "bigint") return
    if (typeof type !== "string" || !TYPES.has(type)) {
      throw new MalformedHistory({ message: `${where}: :type ${String(type)} is not invoke, ok, fail or info` })
    }
    if (typeof f !== "string" || !FUNCTIONS.has(f)) {
      throw new MalformedHistory({ message: `${where}: :f ${String(f)} is not read, write or cas` })
    }
    let key: Json = null
    let value = toJson(item.value ?? null)
    if (!single) {
      if (!Array.isArray(value) || value.length !== 2) {
        throw new MalformedHistory({ message: `${where}: :value is not a [key value] tuple` })
      }
      key = value[0] as Json
      value = value[1] as Json
    }
    const index = typeof item.index === "number" ? item.index : position
    const time = typeof item.time === "number" ? item.time : typeof item.time === "bigint" ? Number(item.time) : position
    ops.push({
      index,
      time,
      process: Number(process),
      type: type as HistoryOp["type"],
      f: f as HistoryOp["f"],
      key,
      value
    })
  })
  return { layout, ops }
}
