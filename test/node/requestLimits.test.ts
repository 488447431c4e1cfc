import { describe, expect, it } from "vitest"
import { maxRequestBytes, maxValueDepth, requestLimitViolation } from "../../src/kv/requestLimits.js"
import { nested } from "../support/nestedJson.js"

describe("what a client may store", () => {
  it("accepts keys and values up to 100 levels deep", () => {
    expect(maxValueDepth).toBe(100)
    expect(requestLimitViolation({ type: "cas", key: nested(100, "k"), from: nested(100, "f"), to: nested(100, "t") })).toBeUndefined()
  })

  it("names the field that nests too deep", () => {
    expect(requestLimitViolation({ type: "read", key: nested(101, "k") })).toBe(
      "key nests 101 levels of arrays and objects; the limit is 100"
    )
    expect(requestLimitViolation({ type: "write", key: 1, value: { a: nested(100, "v") } })).toBe(
      "value nests 101 levels of arrays and objects; the limit is 100"
    )
    expect(requestLimitViolation({ type: "cas", key: 1, from: 1, to: nested(150, "t") })).toBe(
      "to nests 150 levels of arrays and objects; the limit is 100"
    )
  })

  it("limits a request's size as JSON, in bytes", () => {
    const overhead = JSON.stringify({ type: "write", key: 1, value: "" }).length
    expect(requestLimitViolation({ type: "write", key: 1, value: "x".repeat(maxRequestBytes - overhead) })).toBeUndefined()
    expect(requestLimitViolation({ type: "write", key: 1, value: "x".repeat(maxRequestBytes - overhead + 1) })).toBe(
      `the request is ${maxRequestBytes + 1} bytes as JSON; the limit is ${maxRequestBytes}`
    )
    // Two bytes a character in UTF-8: half as many fit.
    expect(requestLimitViolation({ type: "write", key: 1, value: "é".repeat(maxRequestBytes / 2) })).toMatch(/^the request is \d+ bytes/)
    // A control character takes 6 bytes as JSON (\u0001): the size is counted as encoded, on either side of the limit.
    const escaped = (characters: number) => ({ type: "write" as const, key: 1, value: "\u0001".repeat(characters) })
    const fitting = Math.floor((maxRequestBytes - overhead) / 6)
    expect(requestLimitViolation(escaped(fitting))).toBeUndefined()
    expect(requestLimitViolation(escaped(fitting + 1))).toMatch(/^the request is \d+ bytes/)
  })
})
