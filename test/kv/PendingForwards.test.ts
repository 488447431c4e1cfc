import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { Responder } from "../../src/kv/InFlightRequests.js"
import { makePendingForwards } from "../../src/kv/PendingForwards.js"

const responder: Responder = { answer: () => Effect.void, answered: () => false }

describe("pending forwards", () => {
  it("gives up the forwards of earlier terms once, and keeps those of the new term and those answered", () => {
    const pending = makePendingForwards()
    const toTerm2 = { term: 2, leaderId: "n1", responder }
    const alsoTerm2 = { term: 2, leaderId: "n1", responder }
    const toTerm3 = { term: 3, leaderId: "n2", responder }
    const answered = { term: 1, leaderId: "n3", responder }
    for (const forward of [toTerm2, alsoTerm2, toTerm3, answered]) pending.add(forward)
    pending.remove(answered)
    expect(pending.takeBefore(3)).toEqual([toTerm2, alsoTerm2])
    expect(pending.takeBefore(3)).toEqual([])
    expect(pending.takeBefore(4)).toEqual([toTerm3])
  })
})
