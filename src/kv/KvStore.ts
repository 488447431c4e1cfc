import { HashMap } from "effect"
import { ErrorCode } from "../protocol/errorCodes.js"
import { canonicalJson, type Json } from "../protocol/json.js"
import { errorReply, type KvReply, type KvRequest } from "../protocol/kvMessages.js"

/**
 * The lin-kv semantics as a pure function over an immutable map. Keys are
 * compared as JSON values (by canonical text: 2 and "2" are different keys),
 * and cas compares values by deep JSON equality.
 */
export type KvStore = HashMap.HashMap<string, Json>

export const emptyKvStore: KvStore = HashMap.empty()

const show = (value: Json): string => JSON.stringify(value)

export const applyToKvStore = (store: KvStore, request: KvRequest): readonly [KvReply, KvStore] => {
  const key = canonicalJson(request.key)
  const current = HashMap.get(store, key)
  switch (request.type) {
    case "read":
      return current._tag === "Some"
        ? [{ type: "read_ok", value: current.value }, store]
        : [errorReply(ErrorCode.keyDoesNotExist, `key ${show(request.key)} does not exist`), store]
    case "write":
      return [{ type: "write_ok" }, HashMap.set(store, key, request.value)]
    case "cas":
      if (current._tag === "None") {
        return [errorReply(ErrorCode.keyDoesNotExist, `key ${show(request.key)} does not exist`), store]
      }
      if (canonicalJson(current.value) !== canonicalJson(request.from)) {
        return [
          errorReply(
            ErrorCode.preconditionFailed,
            `expected key ${show(request.key)} to be ${show(request.from)}, but it is ${show(current.value)}`
          ),
          store
        ]
      }
      return [{ type: "cas_ok" }, HashMap.set(store, key, request.to)]
  }
}
