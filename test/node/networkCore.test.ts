import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Option, Queue } from "effect"
import { makeNetworkCore } from "../../src/network/networkCore.js"
import type { Envelope } from "../../src/protocol/envelope.js"

describe("the network core", () => {
  const start = Effect.gen(function*() {
    const sent: Array<Envelope> = []
    const core = yield* makeNetworkCore({ self: "n1", nodeIds: ["n1", "n2"], transmit: (e) => Effect.sync(() => void sent.push(e)) })
    return { core, sent }
  })

  it.effect("drops a message addressed to another node", () =>
    Effect.gen(function*() {
      const { core } = yield* start
      yield* core.deliver({ src: "c1", dest: "n2", body: { type: "write", msg_id: 1, key: 1, value: 1 } })
      expect(yield* Queue.size(core.network.incoming)).toBe(0)
      yield* core.deliver({ src: "c1", dest: "n1", body: { type: "write", msg_id: 2, key: 1, value: 1 } })
      expect(yield* Queue.size(core.network.incoming)).toBe(1)
    }))

  it.effect("takes an RPC's answer only from the node it asked", () =>
    Effect.gen(function*() {
      const { core, sent } = yield* start
      const call = yield* Effect.fork(core.network.rpc("n2", { type: "forward" }, "10 seconds"))
      yield* Effect.yieldNow()
      const msgId = sent[0]!.body.msg_id!
      yield* core.deliver({ src: "c1", dest: "n1", body: { type: "forged", in_reply_to: msgId } })
      yield* Effect.yieldNow()
      expect(Option.isNone(yield* Fiber.poll(call))).toBe(true)
      yield* core.deliver({ src: "n2", dest: "n1", body: { type: "forward_ok", in_reply_to: msgId } })
      expect((yield* Fiber.join(call)).type).toBe("forward_ok")
    }))
})
