import { Context, Data, type Effect } from "effect"
import type { Json } from "../src/protocol/json.js"
import type { KvReply, KvRequest, ReadRequest } from "../src/protocol/kvMessages.js"

/** A snapshot that does not describe a state of this state machine. */
export class MalformedSnapshot extends Data.TaggedError("MalformedSnapshot")<{ readonly message: string }> {}

/** What committed log entries are applied to. */
export interface StateMachineShape {
  /** Applies one committed command: called in log order, exactly once per entry. */
  readonly apply: (command: KvRequest) => Effect.Effect<KvReply>
  /** Answers a read from the state applied so far, changing nothing (ReadIndex reads and their kind). */
  readonly query: (request: ReadRequest) => Effect.Effect<KvReply>
  /** The state applied so far, as a JSON value that `restore` takes back. */
  readonly snapshot: Effect.Effect<Json>
  /** Replaces the whole state with a snapshot's. */
  readonly restore: (snapshot: Json) => Effect.Effect<void, MalformedSnapshot>
}

export class StateMachine extends Context.Tag("effect-raft-kv/StateMachine")<StateMachine, StateMachineShape>() {}
