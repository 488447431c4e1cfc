import { Effect, Either, Layer, Ref } from "effect"
import { MalformedSnapshot, StateMachine } from "../services/StateMachine.js"
import { applyToKvStore, emptyKvStore, kvStoreFromJson, kvStoreToJson } from "../src/kv/KvStore.js"

/** The lin-kv key-value store as the node's state machine. */
export const KvStateMachine = Layer.effect(
  StateMachine,
  Effect.gen(function*() {
    const store = yield* Ref.make(emptyKvStore)
    return {
      apply: (command) => Ref.modify(store, (current) => applyToKvStore(current, command)),
      query: (request) => Effect.map(Ref.get(store), (current) => applyToKvStore(current, request)[0]),
      snapshot: Effect.map(Ref.get(store), kvStoreToJson),
      restore: (snapshot) =>
        Either.match(kvStoreFromJson(snapshot), {
          onLeft: (message) => Effect.fail(new MalformedSnapshot({ message: `KV snapshot: ${message}` })),
          onRight: (restored) => Ref.set(store, restored)
        })
    }
  })
)
