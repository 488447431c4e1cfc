import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { NetworkShape } from "../../services/Network.js"
import type { Body, Envelope } from "../../src/protocol/envelope.js"
import { makeInFlightRequests } from "../../src/kv/InFlightRequests.js"

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
  it.effect("each gets exactly one reply: its first answer, or the stop's", () =>
    Effect.gen(function*() {
      const { network, replies } = recordingNetwork()
      const inFlight = makeInFlightRequests(network)
      const first = inFlight.accept(request(1))
      const second = inFlight.accept(request(2))
      yield* first.answer({ type: "write_ok" })
      yield* first.answer({ type: "error" })
      expect([first.answered(), second.answered()]).toEqual([true, false])
      yield* inFlight.answerAll({ type: "error" })
      yield* inFlight.answerAll({ type: "error" })
      yield* second.answer({ type: "write_ok" })
      expect(second.answered()).toBe(true)
      expect(replies).toEqual([[1, "write_ok"], [2, "error"]])
    }))

  it.effect("answers each copy of a message the network delivered twice, both in flight at once", () =>
    Effect.gen(function*() {
      const { network, replies } = recordingNetwork()
      const inFlight = makeInFlightRequests(network)
      const duplicated = request(4)
      // Both copies are waiting before either is answered.
      const first = inFlight.accept(duplicated)
      const second = inFlight.accept(duplicated)
      yield* first.answer({ type: "write_ok" })
      yield* second.answer({ type: "error" })
      expect(replies).toEqual([[4, "write_ok"], [4, "error"]])
    }))
})
