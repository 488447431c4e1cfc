import type { Json } from "../foundation/json.js"

/**
 * A value a client writes or compares: 0..4, as Jepsen's register test uses,
 * or one of five strings of a chosen length (the generator's `valueBytes`).
 */
export type Value = number | string

/** One lin-kv operation a client performs. Keys are integers. */
export type Operation =
  | { readonly f: "read"; readonly key: number }
  | { readonly f: "write"; readonly key: number; readonly value: Value }
  | { readonly f: "cas"; readonly key: number; readonly from: Value; readonly to: Value }

/** The request body a client sends for an operation (the caller adds its `msg_id`). */
export type RequestBody =
  | { readonly type: "read"; readonly key: number }
  | { readonly type: "write"; readonly key: number; readonly value: Value }
  | { readonly type: "cas"; readonly key: number; readonly from: Value; readonly to: Value }

export const requestBody = (op: Operation): RequestBody => {
  switch (op.f) {
    case "read":
      return { type: "read", key: op.key }
    case "write":
      return { type: "write", key: op.key, value: op.value }
    case "cas":
      return { type: "cas", key: op.key, from: op.from, to: op.to }
  }
}

/** The history's `value` of an invoke: null for a read, the value written, `[from, to]` for a cas. */
export const invokeValue = (op: Operation): Json => op.f === "read" ? null : op.f === "write" ? op.value : [op.from, op.to]
