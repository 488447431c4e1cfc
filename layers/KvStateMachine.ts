import { Context, Effect, Either, Layer, Ref, Stream } from "effect"
import { MalformedSnapshot, StateMachine } from "../services/StateMachine.js"
import { addKvPair, applyToKvStore, emptyKvStore, kvStorePairs } from "../src/kv/KvStore.js"
import { kvGrowth, kvStoreSize } from "../src/kv/kvStoreSize.js"
import { LinKvState } from "../src/kv/LinKvState.js"

/**
 * The lin-kv key-value store as the node's state machine: one store, seen by
 * Raft as its StateMachine (commands in, unopened) and by the lin-kv
 * application as LinKvState (typed, for its queries).
 */
export const KvStateMachine = Layer.effectContext(
  Effect.gen(function*() {
    // The store with its size, kept as each command is applied, so the quota costs no walk over the store.
    const state = yield* Ref.make({ store: emptyKvStore, size: 0 })
    const stateMachine: Context.Tag.Service<LinKvState> = {
      apply: (command) =>
        Ref.modify(state, ({ size, store }) => {
          const growth = kvGrowth(store, command)
          const [reply, next] = applyToKvStore(store, command)
          return [reply, { store: next, size: size + growth }]
        }),
      query: (request) => Effect.map(Ref.get(state), ({ store }) => applyToKvStore(store, request)[0]),
      footprint: (command) => Effect.map(Ref.get(state), ({ size, store }) => ({ size, growth: kvGrowth(store, command) })),
      // The store is immutable: the one taken now is the snapshot, however long its pairs take to read.
      snapshot: Effect.map(Ref.get(state), ({ store }) => Stream.fromIterable(kvStorePairs(store))),
      restore: (items) =>
        Effect.gen(function*() {
          const restored = yield* Stream.runFoldEffect(items, emptyKvStore, (store, item) =>
            Either.match(addKvPair(store, item), {
              onLeft: (message) => Effect.fail(new MalformedSnapshot({ message: `KV snapshot: ${message}` })),
              onRight: Effect.succeed
            }))
          yield* Ref.set(state, { store: restored, size: kvStoreSize(restored) })
        })
    }
    return Context.make(LinKvState, stateMachine).pipe(Context.add(StateMachine, stateMachine))
  })
)
