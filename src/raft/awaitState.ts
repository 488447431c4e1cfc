import { Clock, Effect } from "effect"
import type { RaftContext } from "./RaftContext.js"
import type { RaftState } from "./RaftState.js"

/** What to wait for in the node's state, and when to stop waiting. */
export interface StateWait<A, E> {
  /** The outcome, once the state shows it. */
  readonly done: (state: RaftState) => A | undefined
  /** A reason to stop waiting before the time is up (asked after `done`). */
  readonly giveUp?: (state: RaftState) => E | undefined
  readonly timeoutMs: number
  readonly timedOut: () => E
}

/**
 * Looks at the node's state once a heartbeat until `done` gives an outcome,
 * `giveUp` a failure, or `timeoutMs` passes. For the operator's requests that
 * wait on the cluster (a membership change, a hand-over): a heartbeat is as
 * often as the state they wait for can change much.
 */
export const awaitState = <A, E>(context: RaftContext, wait: StateWait<A, E>): Effect.Effect<A, E> =>
  Effect.gen(function*() {
    const untilMs = (yield* Clock.currentTimeMillis) + wait.timeoutMs
    while (true) {
      const state = yield* context.state.get
      const outcome = wait.done(state)
      if (outcome !== undefined) return outcome
      const failure = wait.giveUp?.(state)
      if (failure !== undefined) return yield* Effect.fail(failure)
      if ((yield* Clock.currentTimeMillis) >= untilMs) return yield* Effect.fail(wait.timedOut())
      yield* Effect.sleep(context.config.heartbeatMs)
    }
  })
