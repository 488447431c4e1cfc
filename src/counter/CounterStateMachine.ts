import { Chunk, Context, Effect, Either, Layer, Ref, Stream } from "effect"
import { MalformedSnapshot, StateMachine } from "../../services/StateMachine.js"
import { applyToCounter, counterFromJson, counterToJson, initialCounter } from "./Counter.js"
import { CounterState } from "./CounterState.js"

/**
 * The counter as the node's state machine: one value, seen by Raft as its
 * StateMachine (adds in, unopened) and by the counter application as
 * CounterState (typed, for its reads).
 */
export const CounterStateMachine = Layer.effectContext(
  Effect.gen(function*() {
    const counter = yield* Ref.make(initialCounter)
    const stateMachine: Context.Tag.Service<CounterState> = {
      apply: (command) => Ref.modify(counter, (value) => applyToCounter(value, command)),
      query: () => Effect.map(Ref.get(counter), (value) => ({ type: "read_ok" as const, value })),
      // One item, the value as {"value": N}.
      snapshot: Effect.map(Ref.get(counter), (value) => Stream.make(counterToJson(value))),
      restore: (items) =>
        Effect.flatMap(Stream.runCollect(Stream.take(items, 2)), (taken) =>
          Either.match(
            taken.length === 1 ? counterFromJson(Chunk.unsafeGet(taken, 0)) : Either.left(`${taken.length} items, not 1`),
            {
              onLeft: (message) => Effect.fail(new MalformedSnapshot({ message: `counter snapshot: ${message}` })),
              onRight: (value) => Ref.set(counter, value)
            }
          ))
    }
    return Context.make(CounterState, stateMachine).pipe(Context.add(StateMachine, stateMachine))
  })
)
