import { Effect, Random } from "effect"

/** One of `items`, drawn with Effect's Random (so a seeded run draws the same). `items` must not be empty. */
export const randomPick = <A>(items: ReadonlyArray<A>): Effect.Effect<A> =>
  Effect.map(Random.nextIntBetween(0, items.length), (i) => items[i]!)
