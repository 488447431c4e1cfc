import { describe, expect, it } from "@effect/vitest"
import { makeForwardedRequests, makeForwardIds } from "../../src/kv/Forwarding.js"

describe("forwarded requests, run at most once", () => {
  it("takes a forward once per term; a copy is refused", () => {
    const taken = makeForwardedRequests()
    const id = { session: "n2:7", serial: 1 }
    expect(taken.admit(3, id)).toBe(true)
    expect(taken.admit(3, id)).toBe(false)
    expect(taken.admit(3, { session: "n3:7", serial: 1 })).toBe(true)
    expect(taken.admit(3, { session: "n2:7", serial: 2 })).toBe(true)
  })

  it("past its window a session's oldest serials count as taken: a very late first copy is refused, never run twice", () => {
    const taken = makeForwardedRequests(8)
    for (let serial = 2; serial <= 10; serial++) expect(taken.admit(1, { session: "s", serial })).toBe(true)
    // The floor rose past the oldest half: serial 1 (never seen) and 2 (seen) are both refused.
    expect(taken.admit(1, { session: "s", serial: 1 })).toBe(false)
    expect(taken.admit(1, { session: "s", serial: 2 })).toBe(false)
    for (let serial = 2; serial <= 10; serial++) expect(taken.admit(1, { session: "s", serial })).toBe(false)
    expect(taken.admit(1, { session: "s", serial: 11 })).toBe(true)
  })

  it("forgets everything when the term changes: a forward names one term's leader, which alone may run it", () => {
    const taken = makeForwardedRequests()
    expect(taken.admit(1, { session: "s", serial: 1 })).toBe(true)
    expect(taken.admit(2, { session: "s", serial: 1 })).toBe(true)
  })

  it("numbers a node's forwards within one incarnation", () => {
    const next = makeForwardIds("n1", 42)
    expect([next(), next()]).toEqual([{ session: "n1:42", serial: 1 }, { session: "n1:42", serial: 2 }])
  })
})
