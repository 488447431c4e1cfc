import { Effect } from "effect"
import { makeSignal } from "./Signal.js"

/**
 * Items queued for one consumer, which takes all there are at once. Built on
 * a Signal rather than a Queue: a Queue's take allocates a Deferred each time
 * its consumer waits, and the consumers here (the proposer, the stdout
 * writer, the deadline timers) wait once per batch. Adding never waits.
 */
export interface Backlog<A> {
  readonly add: (item: A) => Effect.Effect<void>
  /** Every item queued, at least one: waits while there is none. One consumer only. */
  readonly takeAll: Effect.Effect<ReadonlyArray<A>>
  /** Every item queued now, perhaps none, without waiting. */
  readonly takeNow: Effect.Effect<ReadonlyArray<A>>
}

export const makeBacklog = <A>(): Effect.Effect<Backlog<A>> =>
  Effect.map(makeSignal, (added) => {
    let items: Array<A> = []
    const take = () => {
      const taken = items
      items = []
      return taken
    }
    // The consumer is woken when the first item of a batch arrives; a ring
    // left over from an earlier batch it took without waiting only makes it look again.
    const add = (item: A) =>
      Effect.suspend(() => {
        items.push(item)
        return items.length === 1 ? added.ring : Effect.void
      })
    const takeAll: Effect.Effect<ReadonlyArray<A>> = Effect.suspend(() =>
      items.length > 0 ? Effect.succeed(take()) : Effect.zipRight(added.wait, takeAll)
    )
    return { add, takeAll, takeNow: Effect.sync(take) }
  })
