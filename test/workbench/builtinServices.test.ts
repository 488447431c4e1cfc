import { Effect } from "effect"
import { describe, expect, it } from "@effect/vitest"
import { emptyKvStore, type KvStore } from "../../src/kv/KvStore.js"
import type { KvReply } from "../../src/protocol/kvMessages.js"
import { applyKvRequest, type ServiceKvRequest } from "../../workbench/builtinServices/kvRequests.js"
import {
  applyLastWriterWins,
  emptyLastWriterWinsKv,
  type LastWriterWinsKv,
  type LwwChoices,
  mergeReplicas
} from "../../workbench/builtinServices/lastWriterWinsKv.js"
import {
  applySequential,
  emptySequentialKv,
  keptStates,
  type SequentialKv,
  servableStates
} from "../../workbench/builtinServices/sequentialKv.js"
import { makeServices } from "../../workbench/builtinServices/services.js"
import { firstTimestamp, nextTimestamp } from "../../workbench/builtinServices/timestampOracle.js"

const read = (key: number): ServiceKvRequest => ({ type: "read", key })
const write = (key: number, value: number): ServiceKvRequest => ({ type: "write", key, value })
const cas = (key: number, from: number, to: number, create?: boolean): ServiceKvRequest =>
  create === undefined ? { type: "cas", key, from, to } : { type: "cas", key, from, to, create_if_not_exists: create }

/** Applies requests in turn to a linearizable store; the replies. */
const linearizable = (requests: ReadonlyArray<ServiceKvRequest>, honourCreate = true): ReadonlyArray<KvReply> => {
  let store: KvStore = emptyKvStore
  return requests.map((request) => {
    const [reply, next] = applyKvRequest(store, request, honourCreate)
    store = next
    return reply
  })
}

const codeOf = (reply: KvReply) => (reply.type === "error" ? reply.code : reply.type)

describe("lin-kv: read, write, cas and create_if_not_exists, as Maelstrom's", () => {
  it("answers error 20 for a missing key, 22 for a cas from another value, and applies the rest", () => {
    const replies = linearizable([read(1), cas(1, 0, 1), write(1, 3), read(1), cas(1, 2, 4), cas(1, 3, 4), read(1)])
    expect(replies.map(codeOf)).toEqual([20, 20, "write_ok", "read_ok", 22, "cas_ok", "read_ok"])
    expect(replies[3]).toEqual({ type: "read_ok", value: 3 })
    expect(replies[6]).toEqual({ type: "read_ok", value: 4 })
  })

  it("creates a missing key on a cas with create_if_not_exists, and compares as usual when it exists", () => {
    const replies = linearizable([cas(1, 0, 7, true), read(1), cas(1, 0, 8, true), read(1), cas(2, 0, 1, false), read(2)])
    expect(replies.map(codeOf)).toEqual(["cas_ok", "read_ok", 22, "read_ok", 20, 20])
    expect(replies[1]).toEqual({ type: "read_ok", value: 7 })
    expect(replies[3]).toEqual({ type: "read_ok", value: 7 })
  })

  it("ignores create_if_not_exists where it is not honoured (lww-kv)", () => {
    expect(linearizable([cas(1, 0, 7, true), read(1)], false).map(codeOf)).toEqual([20, 20])
  })
})

/** Applies (client, request, chosen state) steps in turn to a seq-kv. */
const sequential = (steps: ReadonlyArray<readonly [string, ServiceKvRequest, number]>) => {
  let kv: SequentialKv = emptySequentialKv
  const replies = steps.map(([client, request, chosen]) => {
    const [reply, next] = applySequential(kv, client, request, chosen)
    kv = next
    return reply
  })
  return { replies, kv }
}

describe("seq-kv: stale reads, each client's view monotonic, as Maelstrom's", () => {
  it("serves a client that has seen nothing a past state, and never one older than it has seen", () => {
    const { kv, replies } = sequential([["n0", write(1, 3), 0], ["n1", read(1), 0], ["n1", read(1), 1]])
    expect(replies.map(codeOf)).toEqual(["write_ok", 20, "read_ok"])
    expect(servableStates(kv, "n1")).toEqual({ from: 1, to: 1 })
    // The writer saw its own write: only the newest state is left to it.
    expect(servableStates(kv, "n0")).toEqual({ from: 1, to: 1 })
    expect(() => applySequential(kv, "n1", read(1), 0)).toThrow(/not servable/)
  })

  it("answers a request that changes nothing from the chosen past state, and applies a change to the newest", () => {
    const { kv, replies } = sequential([
      ["n0", write(1, 1), 0],
      ["n1", cas(1, 1, 2), 1],
      // Maelstrom's own example: n0's second write of 1 changes nothing in the state n0 last saw, so it
      // happens there, in the past, and n1 still reads 2.
      ["n0", write(1, 1), 1],
      ["n1", read(1), 2],
      // A cas that fails on the past state is answered from there (error 20: the key did not exist yet).
      ["n2", cas(1, 2, 3), 0],
      // A write that would change the past state is applied to the newest, and becomes the newest.
      ["n2", write(1, 9), 0]
    ])
    expect(replies.map(codeOf)).toEqual(["write_ok", "cas_ok", "write_ok", "read_ok", 20, "write_ok"])
    expect(replies[3]).toEqual({ type: "read_ok", value: 2 })
    expect(kv.newest).toBe(3)
    expect(servableStates(kv, "n0")).toEqual({ from: 1, to: 3 })
    expect(servableStates(kv, "n2")).toEqual({ from: 3, to: 3 })
  })

  it("keeps the last 32 states: a client that saw an older one is served from the oldest kept", () => {
    const { kv } = sequential(Array.from({ length: 40 }, (_, i) => ["n0", write(1, i), i] as const))
    expect(kv.states.length).toBe(keptStates)
    expect(servableStates(kv, "n1")).toEqual({ from: 40 - keptStates + 1, to: 40 })
    const [reply] = applySequential(kv, "n1", read(1), 40 - keptStates + 1)
    expect(reply).toEqual({ type: "read_ok", value: 40 - keptStates })
  })
})

const noGossip = (replica: number): LwwChoices => ({ gossipFrom: replica, gossipInto: replica, replica })

/** Applies (request, choices) steps in turn to an lww-kv. */
const lastWriterWins = (steps: ReadonlyArray<readonly [ServiceKvRequest, LwwChoices]>) => {
  let kv: LastWriterWinsKv = emptyLastWriterWinsKv
  const replies = steps.map(([request, choices]) => {
    const [reply, next] = applyLastWriterWins(kv, request, choices)
    kv = next
    return reply
  })
  return { replies, kv }
}

describe("lww-kv: independent replicas, gossip, the later stamp wins, as Maelstrom's", () => {
  it("reads a stale absence from the replica a write has not reached, and the value once gossiped", () => {
    const { replies } = lastWriterWins([
      [write(1, 3), noGossip(0)],
      [read(1), noGossip(1)],
      [read(1), { gossipFrom: 0, gossipInto: 1, replica: 1 }]
    ])
    expect(replies).toEqual([{ type: "write_ok" }, expect.objectContaining({ type: "error", code: 20 }), { type: "read_ok", value: 3 }])
  })

  it("merges by Lamport stamp: the later change wins, the source on a tie, and clocks take the later", () => {
    const { kv } = lastWriterWins([
      [write(1, 1), noGossip(0)], // stamp 0 on replica 0
      [write(1, 2), noGossip(0)], // stamp 1 on replica 0
      [write(1, 3), noGossip(1)], // stamp 0 on replica 1
      [write(2, 5), noGossip(0)], // stamp 2 on replica 0
      [write(2, 6), noGossip(1)] // stamp 1 on replica 1
    ])
    const [r0, r1] = kv as [LastWriterWinsKv[0], LastWriterWinsKv[0]]
    expect([r0.clock, r1.clock]).toEqual([3, 2])
    const valuesOf = (replica: LastWriterWinsKv[0]) => [1, 2].map((key) => applyKvRequest(replica.store, read(key), false)[0])
    // Key 1: replica 0's stamp 1 beats replica 1's stamp 0, whichever way the gossip goes.
    expect(valuesOf(mergeReplicas(r1, r0))[0]).toEqual({ type: "read_ok", value: 2 })
    expect(valuesOf(mergeReplicas(r0, r1))[0]).toEqual({ type: "read_ok", value: 2 })
    expect(mergeReplicas(r0, r1).clock).toBe(3)
    // Key 2: replica 0's stamp 2 beats replica 1's stamp 1.
    expect(valuesOf(mergeReplicas(r1, r0))[1]).toEqual({ type: "read_ok", value: 5 })
    // A tie goes to the replica gossiped from.
    const tie = lastWriterWins([[write(1, 1), noGossip(0)], [write(1, 3), noGossip(1)]]).kv
    expect(valuesOf(mergeReplicas(tie[0]!, tie[1]!))[0]).toEqual({ type: "read_ok", value: 1 })
    expect(valuesOf(mergeReplicas(tie[1]!, tie[0]!))[0]).toEqual({ type: "read_ok", value: 3 })
  })

  it("does not stamp or tick on a request that changes nothing, and does not create on cas", () => {
    const { kv, replies } = lastWriterWins([[read(1), noGossip(0)], [cas(1, 0, 1, true), noGossip(0)]])
    expect(replies.map(codeOf)).toEqual([20, 20])
    expect(kv[0]!.clock).toBe(0)
  })
})

describe("lin-tso", () => {
  it("hands out 0, 1, 2, ... one per request", () => {
    let oracle = firstTimestamp
    const stamps = [1, 2, 3].map(() => {
      const [reply, next] = nextTimestamp(oracle)
      oracle = next
      return reply
    })
    expect(stamps).toEqual([0, 1, 2].map((ts) => ({ type: "ts_ok", ts })))
  })
})

describe("the services as the router asks them", () => {
  it.effect("answer by service name, and refuse with error 10 or 12 what they cannot handle", () =>
    Effect.gen(function*() {
      const services = yield* makeServices
      expect(yield* services.answer("lin-kv", "n0", { type: "write", key: 1, value: 2 })).toEqual({ type: "write_ok" })
      expect(yield* services.answer("lin-kv", "n1", { type: "read", key: 1 })).toEqual({ type: "read_ok", value: 2 })
      // Services are independent stores.
      expect(yield* services.answer("seq-kv", "n1", { type: "read", key: 1 })).toMatchObject({ type: "error", code: 20 })
      expect(yield* services.answer("lin-tso", "n0", { type: "ts" })).toEqual({ type: "ts_ok", ts: 0 })
      expect(yield* services.answer("lin-tso", "n1", { type: "ts" })).toEqual({ type: "ts_ok", ts: 1 })
      expect(yield* services.answer("lin-tso", "n0", { type: "read", key: 1 })).toMatchObject({ type: "error", code: 10 })
      expect(yield* services.answer("lww-kv", "n0", { type: "ts" })).toMatchObject({ type: "error", code: 10 })
      const missingKey = yield* services.answer("lin-kv", "n0", { type: "cas", from: 1, to: 2 })
      expect(missingKey).toMatchObject({ type: "error", code: 12 })
      expect(missingKey.text).toContain("key")
    }))
})
