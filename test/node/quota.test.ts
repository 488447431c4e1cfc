import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, HashMap, Stream } from "effect"
import { canonicalJson } from "../../foundation/json.js"
import { KvStateMachine } from "../../layers/KvStateMachine.js"
import { emptyKvStore, kvStoreToJson } from "../../src/kv/KvStore.js"
import { kvGrowth, kvStoreSize } from "../../src/kv/kvStoreSize.js"
import { KvQuota } from "../../src/kv/KvQuota.js"
import { LinKvState } from "../../src/kv/LinKvState.js"
import { advance, observe, startScriptedNode } from "../support/ScriptedPeers.js"

const storeOf = (pairs: ReadonlyArray<readonly [unknown, unknown]>) =>
  HashMap.fromIterable(pairs.map(([key, value]) => [canonicalJson(key as never), value as never] as const))

describe("the store's size, as the quota weighs it", () => {
  it("is the length of its snapshot's JSON text, brackets and commas included", () => {
    const store = storeOf([[1, "one"], ["k", { a: [1, 2] }], [{ b: null }, 3.5], ["é", "ü"]])
    expect(kvStoreSize(store) + 1).toBe(JSON.stringify(kvStoreToJson(store)).length)
    expect(kvStoreSize(emptyKvStore)).toBe(0)
  })

  it("grows by a new pair, by the difference of an overwritten value, and by nothing for a cas that fails", () => {
    const store = storeOf([[1, "abc"]])
    expect(kvGrowth(store, { type: "write", key: 2, value: 7 })).toBe("2".length + "7".length + 4)
    expect(kvGrowth(store, { type: "write", key: 1, value: "abcdef" })).toBe(3)
    expect(kvGrowth(store, { type: "write", key: 1, value: 1 })).toBe(-4)
    expect(kvGrowth(store, { type: "cas", key: 1, from: "abc", to: "abcd" })).toBe(1)
    expect(kvGrowth(store, { type: "cas", key: 1, from: "other", to: "abcdefgh" })).toBe(0)
    expect(kvGrowth(store, { type: "cas", key: 9, from: 1, to: "abcdefgh" })).toBe(0)
  })

  it.effect("is kept by the state machine through writes, cas and a restore", () =>
    Effect.gen(function*() {
      const machine = yield* LinKvState
      yield* machine.apply({ type: "write", key: 1, value: "abc" })
      yield* machine.apply({ type: "write", key: 2, value: [1, 2, 3] })
      yield* machine.apply({ type: "cas", key: 1, from: "abc", to: 1 })
      const snapshot = [...Chunk.toReadonlyArray(yield* Stream.runCollect(yield* machine.snapshot))]
      const probe = { type: "write", key: 3, value: 0 } as const
      const size = (yield* machine.footprint(probe)).size
      expect(size + 1).toBe(JSON.stringify(snapshot).length)
      yield* machine.restore(Stream.make([5, "five"]))
      expect(yield* machine.footprint(probe)).toEqual({ size: JSON.stringify([[5, "five"]]).length - 1, growth: 6 })
    }).pipe(Effect.provide(KvStateMachine)))
})

describe("a node whose store reaches its quota", () => {
  /** A lone node, elected, with a quota of `quotaBytes`; returns a way to ask it and read its replies. */
  const loneNode = Effect.gen(function*() {
    const node = yield* startScriptedNode(undefined, undefined, { nodeIds: ["n1"] })
    yield* advance(node.config.electionTimeoutMaxMs + 50)
    let msgId = 0
    const ask = (body: { readonly type: string; readonly [field: string]: unknown }) =>
      Effect.gen(function*() {
        const id = ++msgId
        yield* node.deliver("c1", { ...body, msg_id: id })
        yield* advance(20)
        const replies = (yield* node.sent).filter((m) => m.envelope.dest === "c1").map((m) => m.envelope.body)
        expect(replies).toHaveLength(1)
        return replies[0]!
      })
    return { node, ask }
  })

  it.scoped("refuses a growing write or cas with a definite error naming the quota, and still serves the rest", () =>
    Effect.gen(function*() {
      const { ask, node } = yield* loneNode
      const big = "x".repeat(40)
      expect(yield* ask({ type: "write", key: 1, value: big })).toMatchObject({ type: "write_ok" })
      const refused = yield* ask({ type: "write", key: 2, value: big })
      expect(refused).toMatchObject({ type: "error", code: 14 })
      expect(refused["text"]).toContain("past its quota of 90 bytes (--quota-bytes); it was not applied")
      expect(yield* ask({ type: "cas", key: 1, from: big, to: big.repeat(3) })).toMatchObject({ type: "error", code: 14 })
      // Nothing of the refused writes happened; reads, and writes that do not grow the store, go on.
      expect(yield* ask({ type: "read", key: 2 })).toMatchObject({ type: "error", code: 20 })
      expect(yield* ask({ type: "read", key: 1 })).toMatchObject({ type: "read_ok", value: big })
      expect(yield* ask({ type: "cas", key: 1, from: big, to: "y".repeat(40) })).toMatchObject({ type: "cas_ok" })
      expect(yield* ask({ type: "write", key: 1, value: 0 })).toMatchObject({ type: "write_ok" })
      // Shrunk, the store takes new keys again.
      expect(yield* ask({ type: "write", key: 2, value: big })).toMatchObject({ type: "write_ok" })
      expect(node.node.unsafePoll()).toBeNull()
    }).pipe(Effect.provideService(KvQuota, { quotaBytes: 90 })))

  it.scoped("as leader, refuses a forwarded growing write with a definite error, and its copies with an indefinite one", () =>
    Effect.gen(function*() {
      const node = yield* startScriptedNode()
      const { leadWithNoopCommitted, repliesTo } = observe(node)
      yield* leadWithNoopCommitted
      const term = node.roles.at(-1)!.term
      const forward = { type: "forward", term, session: "n2:1", serial: 1, request: { type: "write", key: 1, value: "abc" } }
      yield* node.deliver("n2", { ...forward, msg_id: 1 })
      // The network repeats it: the leader took the first copy, so this one runs nowhere.
      yield* node.deliver("n2", { ...forward, msg_id: 2 })
      yield* advance(20)
      const replies = yield* repliesTo("n2")
      expect(replies.filter((reply) => reply["in_reply_to"] === 1)).toMatchObject([{ type: "error", code: 14 }])
      expect(replies.filter((reply) => reply["in_reply_to"] === 2)).toMatchObject([{ type: "error", code: 0 }])
      expect(replies.filter((reply) => reply.type === "append_entries" && JSON.stringify(reply).includes("abc"))).toEqual([])
    }).pipe(Effect.provideService(KvQuota, { quotaBytes: 5 })))
})
