import { Deferred, Effect, FiberSet } from "effect"
import type { NodeId } from "../protocol/envelope.js"

/**
 * Asks every peer at once and answers true as soon as `needed` of them said
 * yes, false as soon as that can no longer happen. Unfinished asks are
 * interrupted when the answer is known.
 */
export const askQuorum = (
  peers: ReadonlyArray<NodeId>,
  needed: number,
  ask: (peer: NodeId) => Effect.Effect<boolean>
): Effect.Effect<boolean> => {
  if (needed <= 0) return Effect.succeed(true)
  if (needed > peers.length) return Effect.succeed(false)
  return Effect.scoped(
    Effect.gen(function*() {
      const answer = yield* Deferred.make<boolean>()
      const asks = yield* FiberSet.make()
      let yes = 0
      let no = 0
      for (const peer of peers) {
        yield* FiberSet.run(
          asks,
          ask(peer).pipe(
            Effect.flatMap((granted) => {
              if (granted) yes++
              else no++
              if (yes >= needed) return Deferred.succeed(answer, true)
              if (peers.length - no < needed) return Deferred.succeed(answer, false)
              return Effect.void
            })
          )
        )
      }
      return yield* Deferred.await(answer)
    })
  )
}
