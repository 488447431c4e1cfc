import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Option, Random, TestClock } from "effect"
import type { Body, Envelope } from "../../src/protocol/envelope.js"
import {
  changedNodes,
  describeMembershipStrike,
  drawChange,
  finalHealWithinMs,
  type Membership,
  type MembershipChange,
  membershipFault,
  membershipOutcome
} from "../../workbench/membershipFault.js"
import type { Strike } from "../../workbench/nemesis.js"
import { answeringRouter } from "./answeringRouter.js"

const from = (body: Body): Option.Option<Envelope> => Option.some({ src: "n1", dest: "c9", body: { ...body, in_reply_to: 1 } })
const remove: MembershipChange = { type: "remove_member", node: "n2" }

describe("a membership change's outcome", () => {
  it("is installed on the _ok reply of the change asked, with the configuration it ended with", () => {
    expect(membershipOutcome(remove, from({ type: "remove_member_ok", voters: ["n0", "n1"], learners: [] }), 1000))
      .toEqual({ outcome: "installed", voters: ["n0", "n1"], learners: [] })
  })

  it("is refused on a definite error, and indeterminate on an indefinite one, with code and text", () => {
    expect(membershipOutcome(remove, from({ type: "error", code: 11, text: "a membership change is in progress" }), 1000))
      .toEqual({ outcome: "refused", code: 11, text: "a membership change is in progress" })
    expect(membershipOutcome(remove, from({ type: "error", code: 40, text: "n1 is not a member" }), 1000))
      .toMatchObject({ outcome: "refused", code: 40 })
    expect(membershipOutcome(remove, from({ type: "error", code: 0, text: "the change may still complete" }), 1000))
      .toEqual({ outcome: "indeterminate", code: 0, text: "the change may still complete" })
  })

  it("is indeterminate without a reply in time, or with the _ok of another change or without the configuration (error 13)", () => {
    expect(membershipOutcome(remove, Option.none(), 1000)).toEqual({ outcome: "indeterminate", code: 0, text: "no reply within 1000 ms" })
    for (const body of [{ type: "add_member_ok", voters: ["n0"], learners: [] }, { type: "remove_member_ok", voters: ["n0"] }]) {
      const outcome = membershipOutcome(remove, from(body), 1000)
      expect(outcome).toMatchObject({ outcome: "indeterminate", code: 13 })
      expect(outcome).toHaveProperty("text", expect.stringContaining(`expected {"type": "remove_member_ok", "voters": [NODE]`))
    }
  })

  it("reads as what was asked and what came of it", () => {
    expect(describeMembershipStrike({ node: "n1", change: remove, outcome: "installed", voters: ["n0", "n1"], learners: [] }))
      .toBe("n1 asked to remove n2: installed, voters [n0 n1]")
    expect(describeMembershipStrike({
      node: "n0",
      change: { type: "reconfigure", voters: ["n2"], learners: ["n1"] },
      outcome: "indeterminate",
      code: 0,
      text: "no reply within 1000 ms"
    })).toBe("n0 asked to reconfigure to voters [n2], learners [n1]: indeterminate, error 0 (no reply within 1000 ms)")
  })
})

const nodeIds = ["n0", "n1", "n2", "n3", "n4"]
const draws = (members: Membership, count: number) =>
  Effect.runSync(Effect.forEach(Array.from({ length: count }), () => drawChange(members, nodeIds)).pipe(Effect.withRandom(Random.make(7))))

describe("the change a strike draws", () => {
  it("removes a voter, adds a node that is no voter, or reconfigures to a nonempty random voter set", () => {
    const members = { voters: ["n0", "n1", "n3"], learners: ["n2"] }
    const changes = draws(members, 400)
    const count = (type: string) => changes.filter((change) => change.type === type).length
    // One in four a reconfiguration, the rest split between removing and adding.
    expect(count("reconfigure")).toBeGreaterThan(70)
    expect(count("reconfigure")).toBeLessThan(130)
    expect(count("remove_member")).toBeGreaterThan(110)
    expect(count("add_member")).toBeGreaterThan(110)
    for (const change of changes) {
      if (change.type === "remove_member") expect(members.voters).toContain(change.node)
      if (change.type === "add_member") expect(["n2", "n4"]).toContain(change.node)
      if (change.type === "reconfigure") {
        expect(change.voters.length).toBeGreaterThan(0)
        expect(new Set([...change.voters, ...change.learners]).size).toBe(change.voters.length + change.learners.length)
      }
    }
    const reconfigurations = changes.flatMap((change) => change.type === "reconfigure" ? [change] : [])
    expect(new Set(reconfigurations.map((change) => change.voters.length))).toEqual(new Set([1, 2, 3, 4, 5]))
    expect(reconfigurations.some((change) => change.learners.length > 0)).toBe(true)
  })

  it("never removes the last voter, and adds when it is the only voter", () => {
    for (const change of draws({ voters: ["n3"], learners: [] }, 200)) {
      expect(change.type).not.toBe("remove_member")
      if (change.type === "add_member") expect(change.node).not.toBe("n3")
    }
  })

  it("removes or reconfigures when every node is a voter", () => {
    const types = new Set(draws({ voters: nodeIds, learners: [] }, 100).map((change) => change.type))
    expect(types).toEqual(new Set(["remove_member", "reconfigure"]))
  })

  it("names the nodes whose role it changes", () => {
    const members = { voters: ["n0", "n1", "n2"], learners: ["n3"] }
    expect(changedNodes(members, { type: "remove_member", node: "n1" }, nodeIds)).toEqual(["n1"])
    expect(changedNodes(members, { type: "add_member", node: "n3" }, nodeIds)).toEqual(["n3"])
    expect(changedNodes(members, { type: "add_member", node: "n0" }, nodeIds)).toEqual([])
    expect(changedNodes(members, { type: "reconfigure", voters: ["n0", "n3"], learners: ["n4"] }, nodeIds))
      .toEqual(["n1", "n2", "n3", "n4"])
  })
})

/** A cluster that answers `members` as `members` and every change with what `change` gives (undefined: no answer). */
const cluster = (members: Membership | undefined, change: (request: Envelope) => Body | undefined) =>
  answeringRouter((request) =>
    request.body.type === "members"
      ? members === undefined ? undefined : { type: "members_ok", ...members, leader: "n0", term: 3 }
      : change(request)
  )

const installEverything = (request: Envelope): Body => {
  const body = request.body as unknown as MembershipChange
  const voters = body.type === "reconfigure" ? body.voters : body.type === "add_member" ? ["n0", body.node] : ["n0"]
  return { type: `${body.type}_ok`, voters, learners: body.type === "reconfigure" ? body.learners : [] }
}

const strikeWith = (router: Effect.Effect.Success<ReturnType<typeof cluster>>) =>
  Effect.gen(function*() {
    let clients = 0
    return yield* membershipFault({
      router: router.router,
      nodeIds,
      freshClientId: Effect.sync(() => `c${++clients}`),
      timeoutMs: 1000,
      scope: yield* Effect.scope
    })
  })

const finalHealOf = (strike: Strike) => strike.finalHeal!

describe("the membership strike", () => {
  it.scoped("asks a random node who the members are, then a random node for a change drawn from its answer, as fresh clients", () =>
    Effect.gen(function*() {
      const members = { voters: ["n0", "n2"], learners: ["n4"] }
      const router = yield* cluster(members, installEverything)
      const strike = yield* strikeWith(router)
      const struck = yield* Effect.forEach(Array.from({ length: 40 }), () => strike.strike).pipe(Effect.withRandom(Random.make(3)))
      expect(new Set(router.sent.map((request) => request.src)).size).toBe(80)
      expect(router.sent.filter((_, i) => i % 2 === 0).every((request) => request.body.type === "members")).toBe(true)
      expect(new Set(router.sent.map((request) => request.dest))).toEqual(new Set(nodeIds))
      expect(router.openClients()).toBe(0)
      for (const [i, { description, membership, nodes }] of struck.entries()) {
        const asked = router.sent[2 * i]!.dest
        const changeRequest = router.sent[2 * i + 1]!
        expect(membership).toMatchObject({ node: changeRequest.dest, members: { node: asked, answered: true, ...members } })
        const { msg_id: _msgId, ...change } = changeRequest.body
        expect(membership!.change).toEqual(change)
        if (change.type === "remove_member") expect(members.voters).toContain(change.node)
        expect(membership!.outcome).toBe("installed")
        expect(nodes[0]).toBe(changeRequest.dest)
        expect(description).toBe(describeMembershipStrike(membership!))
      }
    }))

  it.scoped("draws from the last configuration a change installed when no node says who the members are", () =>
    Effect.gen(function*() {
      const router = yield* cluster(undefined, (request) => ({ type: `${request.body.type}_ok`, voters: ["n3"], learners: [] }))
      const strike = yield* strikeWith(router)
      const first = yield* Effect.fork(strike.strike.pipe(Effect.withRandom(Random.make(1))))
      yield* TestClock.adjust(1000)
      const { membership } = yield* Fiber.join(first)
      expect(membership!.members).toMatchObject({ answered: false, voters: nodeIds, learners: [] })
      const second = yield* Effect.fork(strike.strike.pipe(Effect.withRandom(Random.make(1))))
      yield* TestClock.adjust(1000)
      expect((yield* Fiber.join(second)).membership!.members).toMatchObject({ answered: false, voters: ["n3"], learners: [] })
    }))

  it.scoped("is indeterminate when no reply comes within the client timeout, and not before", () =>
    Effect.gen(function*() {
      const router = yield* cluster({ voters: nodeIds, learners: [] }, () => undefined)
      const strike = yield* strikeWith(router)
      const waiting = yield* Effect.fork(strike.strike)
      yield* TestClock.adjust(999)
      expect(waiting.unsafePoll()).toBeNull()
      yield* TestClock.adjust(1)
      expect((yield* Fiber.join(waiting)).membership).toMatchObject({ outcome: "indeterminate", code: 0, text: "no reply within 1000 ms" })
    }))
})

describe("the final heal of the membership nemesis", () => {
  it.scoped("has nothing to undo when every strike was refused", () =>
    Effect.gen(function*() {
      const router = yield* cluster({ voters: nodeIds, learners: [] }, () => ({ type: "error", code: 11, text: "n1 does not lead" }))
      const strike = yield* strikeWith(router)
      yield* Effect.forEach(Array.from({ length: 5 }), () => strike.strike)
      const sentBefore = router.sent.length
      expect(yield* finalHealOf(strike)).toEqual(Option.none())
      expect(router.sent.length).toBe(sentBefore)
    }))

  it.scoped("asks node after node to make every node a voter until one says it is done", () =>
    Effect.gen(function*() {
      let refusals: number | undefined
      const router = yield* cluster({ voters: nodeIds, learners: [] }, (request) =>
        refusals !== undefined && refusals-- > 0
          ? { type: "error", code: 11, text: "a membership change is in progress" }
          : installEverything(request))
      const strike = yield* strikeWith(router)
      yield* strike.strike
      refusals = 3
      const healing = yield* Effect.fork(finalHealOf(strike))
      yield* TestClock.adjust(3 * 500)
      const healed = Option.getOrThrow(yield* Fiber.join(healing))
      const asked = router.sent.filter((request) => request.body.type === "reconfigure").slice(-4)
      expect(asked.map((request) => request.body)).toEqual(
        Array.from({ length: 4 }, () => ({ type: "reconfigure", voters: nodeIds, learners: [], msg_id: 1 }))
      )
      expect(new Set(asked.map((request) => request.dest)).size).toBe(4)
      expect(healed.problem).toBeUndefined()
      expect(healed.membership).toMatchObject({ tries: 4, outcome: "installed", voters: nodeIds })
      expect(healed.description).toMatch(
        /^every node made a voter again, try 4: n\d asked to reconfigure to voters \[n0 n1 n2 n3 n4\]: installed/
      )
    }))

  it.scoped("gives up after its bound, with the last answer as the problem, when no node ever says it is done", () =>
    Effect.gen(function*() {
      const router = yield* cluster({ voters: nodeIds, learners: [] }, () => undefined)
      const strike = yield* strikeWith(router)
      const struck = yield* Effect.fork(strike.strike)
      yield* TestClock.adjust(1000)
      expect((yield* Fiber.join(struck)).membership).toMatchObject({ outcome: "indeterminate" })
      const healing = yield* Effect.fork(finalHealOf(strike))
      // No try starts after the bound; the last one may wait its second past it.
      yield* TestClock.adjust(finalHealWithinMs + 1000)
      const healed = Option.getOrThrow(yield* Fiber.join(healing))
      // A second of waiting for each answer and half a second between tries.
      expect(healed.membership).toMatchObject({ tries: 14, outcome: "indeterminate", code: 0 })
      expect(healed.problem).toBe(
        "the membership nemesis could not make every node a voter again within 20 s (14 tries); the last: " +
          describeMembershipStrike(healed.membership!)
      )
    }))
})
