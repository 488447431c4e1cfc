import { Context, type Effect } from "effect"
import type { KvReply, KvRequest } from "../src/protocol/kvMessages.js"

/** What committed log entries are applied to, in log order, exactly once each. */
export interface StateMachineShape {
  readonly apply: (command: KvRequest) => Effect.Effect<KvReply>
}

export class StateMachine extends Context.Tag("StateMachine")<StateMachine, StateMachineShape>() {}
