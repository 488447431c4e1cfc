import { describe, expect, it } from "@effect/vitest"
import { Chunk, type Context, Effect, Stream } from "effect"
import { KvStateMachine } from "../../layers/KvStateMachine.js"
import { type KvCommand, LinKvState } from "../../src/kv/LinKvState.js"
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

describe("the KV state machine", () => {
  const withMachine = <A, E>(use: (machine: Context.Tag.Service<LinKvState>) => Effect.Effect<A, E>) =>
    Effect.flatMap(LinKvState, use).pipe(Effect.provide(KvStateMachine))
  /** The machine's snapshot items, all read. */
  const itemsOf = (machine: Context.Tag.Service<LinKvState>) =>
    Effect.map(Effect.flatMap(machine.snapshot, Stream.runCollect), Chunk.toReadonlyArray)

  it.effect("a query answers from the applied state and changes nothing", () =>
    withMachine((machine) =>
      Effect.gen(function*() {
        yield* machine.apply({ type: "write", key: 1, value: 3 })
        const before = yield* itemsOf(machine)
        expect(yield* machine.query({ type: "read", key: 1 })).toEqual({ type: "read_ok", value: 3 })
        expect(yield* machine.query({ type: "read", key: 2 })).toMatchObject({ type: "error", code: 20 })
        expect(yield* itemsOf(machine)).toEqual(before)
      })
    ))

  it.effect("a snapshot restores the same state, keys of every JSON kind kept apart", () =>
    Effect.gen(function*() {
      const writes: ReadonlyArray<KvCommand> = [
        { type: "write", key: 2, value: "two" },
        { type: "write", key: "2", value: [2] },
        { type: "write", key: { b: 1, a: [null, true] }, value: { x: 1 } },
        { type: "cas", key: 2, from: "two", to: 22 }
      ]
      const snapshot = yield* withMachine((machine) => Effect.zipRight(Effect.forEach(writes, machine.apply), itemsOf(machine)))
      const restored = yield* withMachine((machine) =>
        Effect.gen(function*() {
          yield* machine.apply({ type: "write", key: "gone", value: 1 })
          yield* machine.restore(Stream.fromIterable(snapshot))
          return {
            reads: yield* Effect.forEach([2, "2", { a: [null, true], b: 1 }, "gone"], (key) => machine.query({ type: "read", key })),
            snapshot: yield* itemsOf(machine)
          }
        })
      )
      expect(restored.reads).toEqual([
        { type: "read_ok", value: 22 },
        { type: "read_ok", value: [2] },
        { type: "read_ok", value: { x: 1 } },
        { type: "error", code: 20, text: "key \"gone\" does not exist" }
      ])
      expect(restored.snapshot).toEqual(snapshot)
    }))

  it.effect("a snapshot holds the state taken when it was asked for, whatever is applied while it is read", () =>
    withMachine((machine) =>
      Effect.gen(function*() {
        yield* machine.apply({ type: "write", key: 1, value: 3 })
        const taken = yield* machine.snapshot
        yield* machine.apply({ type: "write", key: 1, value: 4 })
        yield* machine.apply({ type: "write", key: 2, value: 5 })
        expect(Chunk.toReadonlyArray(yield* Stream.runCollect(taken))).toEqual([[1, 3]])
      })
    ))

  it.effect("a snapshot that is not one is refused, and the state is kept", () =>
    withMachine((machine) =>
      Effect.gen(function*() {
        yield* machine.apply({ type: "write", key: 1, value: 3 })
        const refused = yield* Effect.flip(machine.restore(Stream.make([1, 2], { pairs: 1 })))
        expect(refused.message).toMatch(/KV snapshot: not a \[key, value\] pair/)
        expect(yield* machine.query({ type: "read", key: 1 })).toEqual({ type: "read_ok", value: 3 })
      })
    ))
})
