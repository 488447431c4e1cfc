import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { parseEndpoints } from "../../kvctl/endpoints.js"
import { describeAnswer, describeStatuses } from "../../kvctl/output.js"
import { NoEndpointAnswered } from "../../kvctl/storeCall.js"

describe("kvctl", () => {
  it("reads endpoints as host:port, an IPv6 host in brackets, and names a bad one", () => {
    expect(parseEndpoints("127.0.0.1:7001, localhost:7002,[::1]:7003")).toEqual(
      Either.right(["127.0.0.1:7001", "localhost:7002", "[::1]:7003"])
    )
    expect(parseEndpoints("127.0.0.1")).toEqual(Either.left("\"127.0.0.1\" is not host:port (a port from 1 to 65535)"))
    expect(parseEndpoints("h:0")).toEqual(Either.left("\"h:0\" is not host:port (a port from 1 to 65535)"))
    expect(parseEndpoints(" , ")).toEqual(Either.left("expected host:port, separated by commas"))
  })

  it("prints a value read as JSON, OK for a write, an error with its code and whether it is definite", () => {
    expect(describeAnswer({ endpoint: "e", status: 200, body: { type: "read_ok", value: "x" } })).toBe("\"x\"")
    expect(describeAnswer({ endpoint: "e", status: 200, body: { type: "write_ok" } })).toBe("OK")
    expect(describeAnswer({ endpoint: "e", status: 504, body: { type: "error", code: 0, text: "t", definite: false } })).toBe(
      "e answered 504: error 0 (indefinite: it may or may not have happened): t"
    )
    expect(
      describeAnswer({ endpoint: "e", status: 200, body: { type: "members_ok", voters: ["n0"], learners: [], leader: null, term: 3 } })
    )
      .toBe("voters: n0\nlearners: -\nleader: none known (term 3)")
  })

  it("prints every endpoint's status as a table, an unreachable one with why", () => {
    const status = { node: "n0", role: "leader", term: 2, leader: "n0", commit_index: 7, applied_index: 7, log_entries: 7,
      snapshot_index: 0 }
    expect(describeStatuses([
      { endpoint: "127.0.0.1:7001", answer: Either.right({ endpoint: "127.0.0.1:7001", status: 200, body: status }) },
      { endpoint: "127.0.0.1:7002", answer: Either.left(new NoEndpointAnswered({ attempts: ["127.0.0.1:7002: ECONNREFUSED"] })) }
    ])).toBe([
      "endpoint        node  role    term  leader  commit  applied  log  snapshot",
      "127.0.0.1:7001  n0    leader  2     n0      7       7        7    0",
      "127.0.0.1:7002  unreachable (ECONNREFUSED)"
    ].join("\n"))
  })
})
