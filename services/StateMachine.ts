import { Context, Data, type Effect, type Stream } from "effect"

/** A snapshot that does not describe a state of this state machine. */
export class MalformedSnapshot extends Data.TaggedError("MalformedSnapshot")<{ readonly message: string }> {}

/**
 * What committed log entries are applied to: an application's state. Raft
 * hands it the commands the application proposed, unopened; the application
 * reads its state through `query` once a read barrier says it may.
 */
export interface StateMachineShape<Command, Result, Query, QueryResult> {
  /** Applies one committed command: called in log order, exactly once per entry. */
  readonly apply: (command: Command) => Effect.Effect<Result>
  /** Answers a query from the state applied so far, changing nothing. */
  readonly query: (query: Query) => Effect.Effect<QueryResult>
  /**
   * The state applied so far, as a stream of JSON items (a key-value store's
   * pairs, say) that `restore` takes back in order. The state is taken at
   * once, later commands are not in it; the stream is read later, a piece at
   * a time, as often as wanted, so no state is ever held as one string.
   */
  readonly snapshot: Effect.Effect<Stream.Stream<unknown>>
  /** Replaces the whole state with the one a snapshot's items describe; if it fails, the state is as it was. */
  readonly restore: <E>(items: Stream.Stream<unknown, E>) => Effect.Effect<void, MalformedSnapshot | E>
}

/**
 * The state machine as Raft sees it. Raft never makes a command or a query
 * of its own: it passes on the commands it was given, so it needs no more
 * than `never` of their types, and any application's state machine fits.
 */
export type AnyStateMachine = StateMachineShape<never, unknown, never, unknown>

export class StateMachine extends Context.Tag("effect-raft-kv/StateMachine")<StateMachine, AnyStateMachine>() {}
