import { Either, HashMap, Schema } from "effect"
import { ErrorCode } from "../protocol/errorCodes.js"
import { canonicalJson, Json } from "../../foundation/json.js"
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

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/**
 * A store's pairs, each `[key, value]` with the key as written by the client
 * (recovered from its canonical text, which is JSON), sorted by that text so
 * that equal stores give equal snapshots. Lazy: a pair is made as it is read,
 * and each iteration starts afresh.
 */
export const kvStorePairs = (store: KvStore): Iterable<readonly [Json, Json]> => ({
  *[Symbol.iterator]() {
    for (const key of [...HashMap.keys(store)].sort(byText)) yield [JSON.parse(key) as Json, HashMap.unsafeGet(store, key)]
  }
})

/** A whole store as one JSON value, the list of its pairs: for small stores (the simulator's monitor, tests). */
export const kvStoreToJson = (store: KvStore): Json => [...kvStorePairs(store)]

const decodePair = Schema.decodeUnknownEither(Schema.Tuple(Json, Json))

/** Adds one snapshot item, a `[key, value]` pair, to a store being rebuilt; or says why it is none. */
export const addKvPair = (store: KvStore, item: unknown): Either.Either<KvStore, string> =>
  Either.match(decodePair(item), {
    onLeft: (error) => Either.left(`not a [key, value] pair: ${error.message}`),
    onRight: ([key, value]) => Either.right(HashMap.set(store, canonicalJson(key), value))
  })
