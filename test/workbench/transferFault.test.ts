import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Option, Random, TestClock } from "effect"
import type { Body, Envelope } from "../../src/protocol/envelope.js"
import { describeTransfer, transferFault, transferOutcome } from "../../workbench/transferFault.js"
import { answeringRouter } from "./answeringRouter.js"

const from = (body: Body): Option.Option<Envelope> => Option.some({ src: "n1", dest: "c9", body: { ...body, in_reply_to: 1 } })

describe("a transfer's outcome", () => {
  it("is installed on the _ok reply, with who leads", () => {
    expect(transferOutcome(from({ type: "transfer_leadership_ok", leader: "n2" }), 1000)).toEqual({ outcome: "installed", leader: "n2" })
  })

  it("is refused on a definite error, with its code and text, and indeterminate on an indefinite one", () => {
    expect(transferOutcome(from({ type: "error", code: 11, text: "n1 is not another member" }), 1000))
      .toEqual({ outcome: "refused", code: 11, text: "n1 is not another member" })
    expect(transferOutcome(from({ type: "error", code: 10 }), 1000)).toEqual({ outcome: "refused", code: 10, text: "" })
    expect(transferOutcome(from({ type: "error", code: 0, text: "timed out waiting for leader n0" }), 1000))
      .toEqual({ outcome: "indeterminate", code: 0, text: "timed out waiting for leader n0" })
  })

  it("is indeterminate without a reply in time, or with one of neither shape (error 13, saying what it expected)", () => {
    expect(transferOutcome(Option.none(), 1000)).toEqual({ outcome: "indeterminate", code: 0, text: "no reply within 1000 ms" })
    const malformed = transferOutcome(from({ type: "transfer_leadership_ok" }), 1000)
    expect(malformed).toMatchObject({ outcome: "indeterminate", code: 13 })
    expect(malformed).toHaveProperty("text", expect.stringContaining(`expected {"type": "transfer_leadership_ok", "leader": NODE}`))
  })

  it("reads as what was asked and what came of it", () => {
    expect(describeTransfer({ node: "n0", to: "n2", outcome: "installed", leader: "n2" }))
      .toBe("n0 asked to hand leadership to n2: installed, n2 leads")
    expect(describeTransfer({ node: "n1", to: null, outcome: "indeterminate", code: 0, text: "no reply within 1000 ms" }))
      .toBe("n1 asked to hand leadership over: indeterminate, error 0 (no reply within 1000 ms)")
  })
})

const nodeIds = ["n0", "n1", "n2"]

describe("the transfer strike", () => {
  it.scoped("asks a random node as a fresh client, naming a random target about half the time, and closes its client", () =>
    Effect.gen(function*() {
      const { openClients, router, sent } = yield* answeringRouter((request) => ({
        type: "transfer_leadership_ok",
        leader: typeof request.body.to === "string" ? request.body.to : "n0"
      }))
      let clients = 0
      const strike = transferFault({
        router,
        nodeIds,
        freshClientId: Effect.sync(() => `c${++clients}`),
        timeoutMs: 1000,
        scope: yield* Effect.scope
      })
      const struck = yield* Effect.forEach(Array.from({ length: 60 }), () => strike.strike).pipe(Effect.withRandom(Random.make(5)))
      expect(new Set(sent.map((request) => request.src)).size).toBe(60)
      expect(new Set(sent.map((request) => request.dest))).toEqual(new Set(nodeIds))
      expect(sent.every((request) => request.body.type === "transfer_leadership")).toBe(true)
      const named = sent.filter((request) => "to" in request.body)
      expect(named.length).toBeGreaterThan(15)
      expect(named.length).toBeLessThan(45)
      expect(new Set(named.map((request) => request.body.to))).toEqual(new Set(nodeIds))
      expect(openClients()).toBe(0)
      for (const [i, { description, nodes, transfer }] of struck.entries()) {
        const to = sent[i]!.body.to
        expect(transfer).toEqual({ node: sent[i]!.dest, to: to ?? null, outcome: "installed", leader: to ?? "n0" })
        expect(nodes).toEqual([sent[i]!.dest])
        expect(description).toBe(describeTransfer(transfer!))
      }
    }))

  it.scoped("is indeterminate when no reply comes within the client timeout, and not before", () =>
    Effect.gen(function*() {
      const { router } = yield* answeringRouter(() => undefined)
      const strike = transferFault({ router, nodeIds, freshClientId: Effect.succeed("c1"), timeoutMs: 1000, scope: yield* Effect.scope })
      const waiting = yield* Effect.fork(strike.strike)
      yield* TestClock.adjust(999)
      expect(waiting.unsafePoll()).toBeNull()
      yield* TestClock.adjust(1)
      expect((yield* Fiber.join(waiting)).transfer).toMatchObject({ outcome: "indeterminate", code: 0, text: "no reply within 1000 ms" })
    }))
})
