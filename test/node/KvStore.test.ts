import { describe, expect, it } from "@effect/vitest"
import { applyToKvStore, emptyKvStore, type KvStore } from "../../src/kv/KvStore.js"
import type { KvReply, KvRequest } from "../../src/protocol/kvMessages.js"

const run = (requests: ReadonlyArray<KvRequest>): Array<KvReply> => {
  let store: KvStore = emptyKvStore
  return requests.map((request) => {
    const [reply, next] = applyToKvStore(store, request)
    store = next
    return reply
  })
}

describe("KV semantics", () => {
  it("reads what was written, and a missing key is error 20", () => {
    expect(run([
      { type: "read", key: 1 },
      { type: "write", key: 1, value: 3 },
      { type: "read", key: 1 }
    ])).toEqual([
      { type: "error", code: 20, text: "key 1 does not exist" },
      { type: "write_ok" },
      { type: "read_ok", value: 3 }
    ])
  })

  it("keeps 2 and \"2\" as different keys", () => {
    const replies = run([
      { type: "write", key: 2, value: "number" },
      { type: "write", key: "2", value: "string" },
      { type: "read", key: 2 },
      { type: "read", key: "2" }
    ])
    expect(replies.slice(2)).toEqual([{ type: "read_ok", value: "number" }, { type: "read_ok", value: "string" }])
  })

  it("cas succeeds on a deep-equal from, regardless of object key order", () => {
    const replies = run([
      { type: "write", key: [1, { a: 1 }], value: { x: [1, 2], y: null } },
      { type: "cas", key: [1, { a: 1 }], from: { y: null, x: [1, 2] }, to: 9 },
      { type: "read", key: [1, { a: 1 }] }
    ])
    expect(replies).toEqual([{ type: "write_ok" }, { type: "cas_ok" }, { type: "read_ok", value: 9 }])
  })

  it("cas on a missing key is 20, with a wrong from is 22 naming expected and actual", () => {
    const replies = run([
      { type: "cas", key: 5, from: 1, to: 2 },
      { type: "write", key: 5, value: 3 },
      { type: "cas", key: 5, from: 1, to: 2 },
      { type: "read", key: 5 }
    ])
    expect(replies[0]).toMatchObject({ type: "error", code: 20 })
    expect(replies[2]).toEqual({ type: "error", code: 22, text: "expected key 5 to be 1, but it is 3" })
    expect(replies[3]).toEqual({ type: "read_ok", value: 3 })
  })

  it("does not confuse 1 with \"1\" or true in cas", () => {
    const replies = run([
      { type: "write", key: "k", value: 1 },
      { type: "cas", key: "k", from: "1", to: 2 },
      { type: "cas", key: "k", from: true, to: 2 }
    ])
    expect(replies.slice(1).map((r) => r.type === "error" && r.code)).toEqual([22, 22])
  })
})
