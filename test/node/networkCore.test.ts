import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Option, Queue, TestClock } from "effect"
import { makeNetworkCore } from "../../src/network/networkCore.js"
import type { Envelope } from "../../src/protocol/envelope.js"

describe("the network core", () => {
  const start = Effect.gen(function*() {
    const sent: Array<Envelope> = []
    const core = yield* makeNetworkCore({ self: "n1", nodeIds: ["n1", "n2"], transmit: (e) => Effect.sync(() => void sent.push(e)) })
    return { core, sent }
  })

  it.scoped("drops a message addressed to another node", () =>
    Effect.gen(function*() {
      const { core } = yield* start
      yield* core.deliver({ src: "c1", dest: "n2", body: { type: "write", msg_id: 1, key: 1, value: 1 } })
      expect(yield* Queue.size(core.network.incoming)).toBe(0)
      yield* core.deliver({ src: "c1", dest: "n1", body: { type: "write", msg_id: 2, key: 1, value: 1 } })
      expect(yield* Queue.size(core.network.incoming)).toBe(1)
    }))

  it.scoped("takes an RPC's answer only from the node it asked", () =>
    Effect.gen(function*() {
      const { core, sent } = yield* start
      const call = yield* Effect.fork(core.network.rpc("n2", { type: "forward" }, 10_000))
      yield* Effect.yieldNow()
      const msgId = sent[0]!.body.msg_id!
      yield* core.deliver({ src: "c1", dest: "n1", body: { type: "forged", in_reply_to: msgId } })
      yield* Effect.yieldNow()
      expect(Option.isNone(yield* Fiber.poll(call))).toBe(true)
      yield* core.deliver({ src: "n2", dest: "n1", body: { type: "forward_ok", in_reply_to: msgId } })
      expect((yield* Fiber.join(call)).type).toBe("forward_ok")
    }))

  it.scoped("fails an RPC unanswered for its timeout with RpcTimeout, and drops its answer if it comes later", () =>
    Effect.gen(function*() {
      const { core, sent } = yield* start
      const short = yield* Effect.fork(Effect.either(core.network.rpc("n2", { type: "forward" }, 100)))
      const long = yield* Effect.fork(Effect.either(core.network.rpc("n2", { type: "forward" }, 300)))
      yield* Effect.yieldNow()
      yield* TestClock.adjust(99)
      expect(Option.isNone(yield* Fiber.poll(short))).toBe(true)
      yield* TestClock.adjust(1)
      expect(yield* Fiber.join(short)).toMatchObject({ _tag: "Left", left: { _tag: "RpcTimeout", dest: "n2" } })
      yield* core.deliver({ src: "n2", dest: "n1", body: { type: "forward_ok", in_reply_to: sent[0]!.body.msg_id! } })
      yield* TestClock.adjust(199)
      expect(Option.isNone(yield* Fiber.poll(long))).toBe(true)
      yield* core.deliver({ src: "n2", dest: "n1", body: { type: "forward_ok", in_reply_to: sent[1]!.body.msg_id! } })
      expect(yield* Fiber.join(long)).toMatchObject({ _tag: "Right", right: { type: "forward_ok" } })
    }))
})
