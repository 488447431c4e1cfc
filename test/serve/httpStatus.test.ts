import { describe, expect, it } from "vitest"
import { ErrorCode, isDefinite } from "../../src/protocol/errorCodes.js"
import { httpStatusOfError } from "../../src/protocol/httpStatus.js"

describe("the HTTP status of a node's error", () => {
  it("keeps definite and indefinite apart: only indefinite errors are 500 or 504, and only a definite one is 503", () => {
    for (const code of [...Object.values(ErrorCode), 1000, 1001]) {
      const status = httpStatusOfError(code)
      if (isDefinite(code)) expect(status === 503 || (status >= 400 && status < 500), `code ${code}: ${status}`).toBe(true)
      else expect([500, 504], `code ${code}: ${status}`).toContain(status)
    }
  })

  it("gives the statuses a client expects of the common errors", () => {
    expect(httpStatusOfError(ErrorCode.keyDoesNotExist)).toBe(404)
    expect(httpStatusOfError(ErrorCode.preconditionFailed)).toBe(409)
    expect(httpStatusOfError(ErrorCode.temporarilyUnavailable)).toBe(503)
    expect(httpStatusOfError(ErrorCode.malformedRequest)).toBe(400)
    expect(httpStatusOfError(ErrorCode.timeout)).toBe(504)
    expect(httpStatusOfError(ErrorCode.crash)).toBe(500)
  })
})
