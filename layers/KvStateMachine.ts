import { Context, Effect, Either, Layer, Ref } from "effect"
import { MalformedSnapshot, StateMachine } from "../services/StateMachine.js"
import { applyToKvStore, emptyKvStore, kvStoreFromJson, kvStoreToJson } from "../src/kv/KvStore.js"
import { LinKvState } from "../src/kv/LinKvState.js"

/**
 * The lin-kv key-value store as the node's state machine: one store, seen by
 * Raft as its StateMachine (commands in, unopened) and by the lin-kv
 * application as LinKvState (typed, for its queries).
 */
export const KvStateMachine = Layer.effectContext(
  Effect.gen(function*() {
    const store = yield* Ref.make(emptyKvStore)
    const stateMachine: Context.Tag.Service<LinKvState> = {
      apply: (command) => Ref.modify(store, (current) => applyToKvStore(current, command)),
      query: (request) => Effect.map(Ref.get(store), (current) => applyToKvStore(current, request)[0]),
      snapshot: Effect.map(Ref.get(store), kvStoreToJson),
      restore: (snapshot) =>
        Either.match(kvStoreFromJson(snapshot), {
          onLeft: (message) => Effect.fail(new MalformedSnapshot({ message: `KV snapshot: ${message}` })),
          onRight: (restored) => Ref.set(store, restored)
        })
    }
    return Context.make(LinKvState, stateMachine).pipe(Context.add(StateMachine, stateMachine))
  })
)
