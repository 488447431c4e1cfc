import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Option, TestClock } from "effect"
import type { Envelope } from "../../src/protocol/envelope.js"
import { connectClient } from "../../workbench/client.js"
import { makeMalformedReplyLog } from "../../workbench/malformedReplies.js"
import { ReplyMailbox } from "../../workbench/replyMailbox.js"
import { emptyCounters, type Router } from "../../workbench/router.js"

const reply = (inReplyTo: number, value = inReplyTo): Envelope => ({
  src: "n1",
  dest: "c1",
  body: { type: "read_ok", value, in_reply_to: inReplyTo }
})

describe("a client's reply mailbox", () => {
  it("takes the reply to the request, dropping replies to others while it waits", () => {
    const mailbox = new ReplyMailbox()
    const settled: Array<Option.Option<Envelope>> = []
    mailbox.expect(2, 100n)
    expect(mailbox.onOutcome((outcome) => settled.push(outcome))).toBeUndefined()
    mailbox.deliver(reply(1))
    expect(settled).toEqual([])
    mailbox.deliver(reply(2))
    expect(settled).toEqual([Option.some(reply(2))])
    // Nothing waits now: what comes is kept for the next request.
    expect(mailbox.expire(200n)).toBeUndefined()
  })

  it("keeps replies that come while nothing waits; a request takes the first that answers it and leaves the later ones", () => {
    const mailbox = new ReplyMailbox()
    mailbox.deliver(reply(3))
    mailbox.deliver(reply(4, 40))
    mailbox.deliver(reply(5))
    mailbox.deliver(reply(4, 41))
    mailbox.expect(4, 100n)
    expect(mailbox.onOutcome(() => {})).toEqual(Option.some(reply(4, 40)))
    mailbox.expect(4, 100n)
    expect(mailbox.onOutcome(() => {})).toEqual(Option.some(reply(4, 41)))
  })

  it("times a request out at its deadline, not before, and a reply after that is kept, not taken", () => {
    const mailbox = new ReplyMailbox()
    const settled: Array<Option.Option<Envelope>> = []
    mailbox.expect(1, 100n)
    mailbox.onOutcome((outcome) => settled.push(outcome))
    expect(mailbox.expire(99n)).toBe(100n)
    expect(settled).toEqual([])
    expect(mailbox.expire(100n)).toBeUndefined()
    expect(settled).toEqual([Option.none()])
    mailbox.deliver(reply(1))
    mailbox.expect(2, 300n)
    expect(mailbox.onOutcome(() => {})).toBeUndefined()
  })

  it("a reply that comes before the caller waits is its outcome", () => {
    const mailbox = new ReplyMailbox()
    mailbox.expect(1, 100n)
    mailbox.deliver(reply(1))
    expect(mailbox.expire(500n)).toBeUndefined()
    expect(mailbox.onOutcome(() => {})).toEqual(Option.some(reply(1)))
  })
})

/** A router that only records client requests and hands the client's deliver function out. */
const fakeRouter = Effect.sync(() => {
  const sent: Array<Envelope> = []
  let deliver: (envelope: Envelope) => Effect.Effect<void> = () => Effect.void
  const router: Router = {
    fromNode: () => Effect.void,
    fromClient: (envelope) => Effect.sync(() => void sent.push(envelope)),
    openClient: (_, to) => Effect.sync(() => void (deliver = to)),
    closeClient: () => Effect.void,
    setPartition: () => Effect.void,
    counters: Effect.succeed(emptyCounters)
  }
  return { router, sent, answer: (envelope: Envelope) => deliver(envelope) }
})

describe("a client connection", () => {
  it.scoped("times each request out exactly after its timeout, and skips a late reply to a timed-out request", () =>
    Effect.gen(function*() {
      const { answer, router, sent } = yield* fakeRouter
      const connect = connectClient(router, ["n1"], Effect.succeed("c1"), yield* makeMalformedReplyLog, yield* Effect.scope)
      const connection = yield* connect(0)
      const first = yield* Effect.fork(connection.call({ type: "read", key: 1 }, 1000))
      yield* TestClock.adjust(999)
      expect(first.unsafePoll()).toBeNull()
      yield* TestClock.adjust(1)
      expect(yield* Fiber.join(first)).toEqual({ _tag: "Timeout", afterMs: 1000 })
      // The second request, with a shorter timeout, is answered in time; the late reply to the first is skipped.
      const second = yield* Effect.fork(connection.call({ type: "read", key: 1 }, 300))
      yield* TestClock.adjust(100)
      yield* answer(reply(1, 10))
      yield* answer(reply(2, 20))
      expect(yield* Fiber.join(second)).toEqual({ _tag: "Reply", reply: { type: "read_ok", value: 20 } })
      // A third request times out on its own deadline, though the second's timer was set earlier.
      const third = yield* Effect.fork(connection.call({ type: "read", key: 1 }, 50))
      yield* TestClock.adjust(49)
      expect(third.unsafePoll()).toBeNull()
      yield* TestClock.adjust(1)
      expect(yield* Fiber.join(third)).toEqual({ _tag: "Timeout", afterMs: 50 })
      expect(sent.map((envelope) => envelope.body.msg_id)).toEqual([1, 2, 3])
    }))
})
