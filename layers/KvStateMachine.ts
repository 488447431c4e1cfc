import { Effect, Layer, Ref } from "effect"
import { StateMachine } from "../services/StateMachine.js"
import { applyToKvStore, emptyKvStore } from "../src/kv/KvStore.js"

/** The lin-kv key-value store as the node's state machine. */
export const KvStateMachine = Layer.effect(
  StateMachine,
  Effect.gen(function*() {
    const store = yield* Ref.make(emptyKvStore)
    return { apply: (command) => Ref.modify(store, (current) => applyToKvStore(current, command)) }
  })
)
