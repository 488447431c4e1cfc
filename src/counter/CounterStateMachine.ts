import { Context, Effect, Either, Layer, Ref } from "effect"
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
      snapshot: Effect.map(Ref.get(counter), counterToJson),
      restore: (snapshot) =>
        Either.match(counterFromJson(snapshot), {
          onLeft: (message) => Effect.fail(new MalformedSnapshot({ message: `counter snapshot: ${message}` })),
          onRight: (value) => Ref.set(counter, value)
        })
    }
    return Context.make(CounterState, stateMachine).pipe(Context.add(StateMachine, stateMachine))
  })
)
