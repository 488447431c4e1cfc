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

/**
 * A store as a JSON value: its pairs, each key as written by the client
 * (recovered from its canonical text, which is JSON), sorted by that text so
 * that equal stores give equal snapshots.
 */
export const kvStoreToJson = (store: KvStore): Json =>
  [...HashMap.entries(store)]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => [JSON.parse(key) as Json, value])

const KvPairs = Schema.Array(Schema.Tuple(Json, Json))
const decodePairs = Schema.decodeUnknownEither(KvPairs)

/** The store a snapshot describes, or why it describes none. */
export const kvStoreFromJson = (snapshot: unknown): Either.Either<KvStore, string> =>
  Either.map(
    Either.mapLeft(decodePairs(snapshot), (error) => `not a list of [key, value] pairs: ${error.message}`),
    (pairs) => HashMap.fromIterable(pairs.map(([key, value]) => [canonicalJson(key), value] as const))
  )
