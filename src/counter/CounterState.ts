import { Context } from "effect"
import type { StateMachineShape } from "../../services/StateMachine.js"
import type { CounterCommand, CounterReadOk, CounterReadRequest, CounterReply } from "./counterMessages.js"

/**
 * The counter state machine as the counter application sees it, typed: the
 * same one Raft applies adds to (CounterStateMachine.ts provides both).
 */
export class CounterState extends Context.Tag("effect-raft-kv/CounterState")<
  CounterState,
  StateMachineShape<CounterCommand, CounterReply, CounterReadRequest, CounterReadOk>
>() {}
