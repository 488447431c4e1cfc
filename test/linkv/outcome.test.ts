import { describe, expect, it } from "vitest"
import type { Operation } from "../../linkv/operation.js"
import { classifyResponse, responseOf } from "../../linkv/outcome.js"

const read: Operation = { f: "read", key: 1 }
const write: Operation = { f: "write", key: 1, value: 3 }
const cas: Operation = { f: "cas", key: 1, from: 2, to: 4 }
const error = (code: number) => ({ _tag: "Reply", reply: { type: "error", code, text: `code ${code}` } }) as const
const timeout = { _tag: "Timeout", afterMs: 1000 } as const

describe("how a client judges a reply", () => {
  it("takes an error reply without text, as Maelstrom does, and calls a code that is no integer malformed", () => {
    const noText = responseOf({ type: "error", code: 22 })
    expect(noText).toEqual({ _tag: "Reply", reply: { type: "error", code: 22 } })
    expect(classifyResponse(cas, noText)).toEqual({ type: "fail", value: [2, 4], error: { code: 22, text: "" } })
    expect(responseOf({ type: "error", code: "busy" })._tag).toBe("Malformed")
  })

  it("reads: read_ok is ok with the value, a missing key is ok null, anything else fails", () => {
    expect(classifyResponse(read, { _tag: "Reply", reply: { type: "read_ok", value: 3 } })).toEqual({ type: "ok", value: 3 })
    expect(classifyResponse(read, error(20))).toMatchObject({ type: "ok", value: null })
    expect(classifyResponse(read, error(11))).toMatchObject({ type: "fail", value: null, error: { code: 11 } })
    expect(classifyResponse(read, error(13))).toMatchObject({ type: "fail", error: { code: 13 } })
    expect(classifyResponse(read, timeout)).toMatchObject({ type: "fail", error: { code: 0 } })
  })

  it("writes and cas: ok replies are ok, definite errors fail, indefinite errors and timeouts are info", () => {
    expect(classifyResponse(write, { _tag: "Reply", reply: { type: "write_ok" } })).toEqual({ type: "ok", value: 3 })
    expect(classifyResponse(cas, { _tag: "Reply", reply: { type: "cas_ok" } })).toEqual({ type: "ok", value: [2, 4] })
    for (const code of [1, 10, 11, 12, 14, 20, 21, 22, 30]) {
      expect(classifyResponse(cas, error(code))).toMatchObject({ type: "fail", value: [2, 4], error: { code } })
    }
    for (const code of [0, 13, 1000]) {
      expect(classifyResponse(write, error(code))).toMatchObject({ type: "info", value: 3, error: { code } })
    }
    expect(classifyResponse(cas, timeout)).toMatchObject({ type: "info", value: [2, 4] })
  })

  it("a reply of the wrong kind, or one that does not decode, is indefinite", () => {
    expect(classifyResponse(write, { _tag: "Reply", reply: { type: "cas_ok" } }).type).toBe("info")
    expect(classifyResponse(write, { _tag: "Malformed", problem: "no type" }).type).toBe("info")
    expect(classifyResponse(read, { _tag: "Malformed", problem: "no type" }).type).toBe("fail")
  })
})
