import type { Json } from "../foundation/json.js"

/** One lin-kv operation a client performs. Keys are integers, values 0..4, as Jepsen's register test uses. */
export type Operation =
  | { readonly f: "read"; readonly key: number }
  | { readonly f: "write"; readonly key: number; readonly value: number }
  | { readonly f: "cas"; readonly key: number; readonly from: number; readonly to: number }

/** The request body a client sends for an operation (the caller adds its `msg_id`). */
export type RequestBody =
  | { readonly type: "read"; readonly key: number }
  | { readonly type: "write"; readonly key: number; readonly value: number }
  | { readonly type: "cas"; readonly key: number; readonly from: number; readonly to: number }

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
