import { describe, expect, it } from "vitest"
import { refusal as kvRefusal } from "../../src/kv/KvApplication.js"
import { refusal } from "../../src/raft/dispatcher.js"

describe("who may send what", () => {
  const peers = ["n2", "n3"]
  const vote = { type: "request_vote", term: 2, candidate_id: "n2", last_log_index: 0, last_log_term: 0, pre_vote: false } as const
  const append = { type: "append_entries", term: 2, leader_id: "n2", prev_log_index: 0, prev_log_term: 0, entries: [],
    leader_commit: 0 } as const
  const forward = { type: "forward", term: 1, session: "n2:1", serial: 1, request: { type: "read", key: 1 } } as const

  it("Raft obeys its RPCs from the other members only", () => {
    for (const request of [vote, append]) {
      expect(refusal(request, "n2", peers)).toBeUndefined()
      expect(refusal(request, "c1", peers)).toEqual({
        _tag: "NotFromMember",
        text: `${request.type} is accepted only from the other cluster members (n2, n3), not from c1`
      })
      expect(refusal(request, "n1", peers)?._tag).toBe("NotFromMember")
    }
  })

  it("Raft refuses a member speaking for another", () => {
    expect(refusal(vote, "n3", peers)).toEqual({ _tag: "Malformed", text: "malformed request_vote: candidate_id n2 is not its sender n3" })
    expect(refusal(append, "n3", peers)).toEqual({ _tag: "Malformed", text: "malformed append_entries: leader_id n2 is not its sender n3" })
  })

  it("lin-kv takes forwards from the other members only", () => {
    expect(kvRefusal(forward, "n2", peers)).toBeUndefined()
    expect(kvRefusal(forward, "c1", peers)).toMatchObject({
      code: 10,
      text: "forward is accepted only from the other cluster members (n2, n3), not from c1"
    })
    expect(kvRefusal(forward, "n1", peers)?.code).toBe(10)
  })

  it("lin-kv takes clients' requests from anyone, within the limits", () => {
    expect(kvRefusal({ type: "write", key: 1, value: 2 }, "c9", peers)).toBeUndefined()
    expect(kvRefusal({ type: "read", key: [[[]]] }, "n2", peers)).toBeUndefined()
    expect(kvRefusal({ type: "write", key: 1, value: "x".repeat(2 ** 21) }, "c9", peers)?.code).toBe(12)
  })
})
