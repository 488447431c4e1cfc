import { HashMap, Schema } from "effect"
import { applyToKvStore, type KvStore } from "../../src/kv/KvStore.js"
import { canonicalJson, Json } from "../../foundation/json.js"
import { CasRequest, type KvReply, ReadRequest, WriteRequest } from "../../src/protocol/kvMessages.js"

/**
 * A request to one of the KV services: the lin-kv workload's read, write and
 * cas, where a cas may carry Maelstrom's `create_if_not_exists` (a cas on a
 * missing key then creates it with `to`).
 */
export const ServiceCas = Schema.extend(CasRequest, Schema.Struct({ create_if_not_exists: Schema.optional(Json) }))
export const ServiceKvRequest = Schema.Union(ReadRequest, WriteRequest, ServiceCas)
export type ServiceKvRequest = typeof ServiceKvRequest.Type

/** Maelstrom reads the flag as Clojure does: anything but absent, null or false is true. */
const isSet = (flag: Json | undefined): boolean => flag !== undefined && flag !== null && flag !== false

/**
 * One request against one store, with the lin-kv semantics of the node's own
 * store (`applyToKvStore`), plus `create_if_not_exists` when `honourCreate`
 * (Maelstrom's lin-kv and seq-kv honour it; its lww-kv does not). The store
 * comes back unchanged (the same object) when the request changed nothing.
 */
export const applyKvRequest = (
  store: KvStore,
  request: ServiceKvRequest,
  honourCreate: boolean
): readonly [KvReply, KvStore] => {
  if (
    honourCreate && request.type === "cas" && isSet(request.create_if_not_exists) &&
    !HashMap.has(store, canonicalJson(request.key))
  ) {
    const [, created] = applyToKvStore(store, { type: "write", key: request.key, value: request.to })
    return [{ type: "cas_ok" }, created]
  }
  return applyToKvStore(store, request)
}

/**
 * True when a request left the store as it was, by JSON value (a write of the
 * value a key already holds changes nothing). Only `key` can have changed.
 */
export const storeUnchanged = (before: KvStore, after: KvStore, key: Json): boolean => {
  if (before === after) return true
  const k = canonicalJson(key)
  const [was, is] = [HashMap.get(before, k), HashMap.get(after, k)]
  return was._tag === "Some" && is._tag === "Some" && canonicalJson(was.value) === canonicalJson(is.value)
}
