import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Fiber } from "effect"
import type { NetworkShape } from "../../services/Network.js"
import type { Body, Envelope } from "../../src/protocol/envelope.js"
import { makeInFlightRequests } from "../../src/raft/InFlightRequests.js"

/** A network that only records replies, as (msg_id answered, body type). */
const recordingNetwork = () => {
  const replies: Array<readonly [number | undefined, string]> = []
  const network = {
    reply: (request: Envelope, body: Body) => Effect.sync(() => void replies.push([request.body.msg_id, body.type]))
  } as NetworkShape
  return { network, replies }
}

const request = (msgId: number): Envelope => ({ src: "c1", dest: "n1", body: { type: "write", msg_id: msgId } })

describe("requests in flight", () => {
  it.effect("each gets exactly one reply: its own, or the stop's", () =>
    Effect.gen(function*() {
      const { network, replies } = recordingNetwork()
      const inFlight = makeInFlightRequests(network)
      const never = yield* Deferred.make<Body>()
      yield* inFlight.serve(request(1), Effect.succeed({ type: "write_ok" }))
      const waiting = yield* Effect.fork(inFlight.serve(request(2), Deferred.await(never)))
      yield* Effect.yieldNow()
      const failed = yield* Effect.either(inFlight.serve(request(3), Effect.fail("disk full")))
      expect(failed._tag).toBe("Left")
      yield* inFlight.answerAll({ type: "error" })
      yield* inFlight.answerAll({ type: "error" })
      yield* Deferred.succeed(never, { type: "write_ok" })
      yield* Fiber.join(waiting)
      expect(replies).toEqual([[1, "write_ok"], [2, "error"], [3, "error"]])
    }))

  it.effect("answers each copy of a message the network delivered twice, both in flight at once", () =>
    Effect.gen(function*() {
      const { network, replies } = recordingNetwork()
      const inFlight = makeInFlightRequests(network)
      const duplicated = request(4)
      const first = yield* Deferred.make<Body>()
      const second = yield* Deferred.make<Body>()
      // Both copies are waiting before either is answered.
      yield* Effect.all([
        inFlight.serve(duplicated, Deferred.await(first)),
        inFlight.serve(duplicated, Deferred.await(second)),
        Effect.zipRight(Deferred.succeed(first, { type: "write_ok" }), Deferred.succeed(second, { type: "error" }))
      ], { concurrency: "unbounded" })
      expect(replies).toEqual([[4, "write_ok"], [4, "error"]])
    }))
})
