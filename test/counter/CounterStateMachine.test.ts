import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Stream } from "effect"
import { StateMachine } from "../../services/StateMachine.js"
import { applyToCounter, counterFromJson, initialCounter } from "../../src/counter/Counter.js"
import type { CounterCommand, CounterReply } from "../../src/counter/counterMessages.js"
import { CounterState } from "../../src/counter/CounterState.js"
import { CounterStateMachine } from "../../src/counter/CounterStateMachine.js"

const add = (delta: number): CounterCommand => ({ type: "add", delta })

const run = (commands: ReadonlyArray<CounterCommand>): { replies: Array<CounterReply>; value: number } => {
  let value = initialCounter
  const replies = commands.map((command) => {
    const [reply, next] = applyToCounter(value, command)
    value = next
    return reply
  })
  return { replies, value }
}

describe("counter semantics", () => {
  it("starts at 0 and adds each delta, negative ones too", () => {
    expect(run([])).toEqual({ replies: [], value: 0 })
    expect(run([add(3), add(-5), add(0), add(4)])).toEqual({
      replies: [{ type: "add_ok" }, { type: "add_ok" }, { type: "add_ok" }, { type: "add_ok" }],
      value: 2
    })
  })

  it("refuses an add that would leave the safe integers, and keeps the value", () => {
    const { replies, value } = run([add(Number.MAX_SAFE_INTEGER), add(1), add(-1)])
    expect(replies[1]).toMatchObject({ type: "error", code: 22 })
    expect(value).toBe(Number.MAX_SAFE_INTEGER - 1)
  })

  it("reads a snapshot only when it is {\"value\": <integer>}", () => {
    expect(counterFromJson({ value: -7 })).toEqual(Either.right(-7))
    for (const malformed of [7, null, [], {}, { value: 1.5 }, { value: "1" }, { value: 2 ** 60 }]) {
      expect(Either.isLeft(counterFromJson(malformed)), JSON.stringify(malformed)).toBe(true)
    }
  })
})

describe("the counter state machine", () => {
  it.effect("applies adds, answers reads, and is one state machine for Raft and for the application", () =>
    Effect.gen(function*() {
      const counter = yield* CounterState
      const raftView = yield* StateMachine
      expect(yield* counter.query({ type: "read" })).toEqual({ type: "read_ok", value: 0 })
      expect(yield* counter.apply(add(5))).toEqual({ type: "add_ok" })
      // Raft hands over the commands unopened: the same object, typed as nothing in particular.
      expect(yield* raftView.apply(add(-2) as never)).toEqual({ type: "add_ok" })
      expect(yield* counter.query({ type: "read" })).toEqual({ type: "read_ok", value: 3 })
    }).pipe(Effect.provide(CounterStateMachine)))

  it.effect("restores what it snapshotted, as JSON", () =>
    Effect.gen(function*() {
      const counter = yield* CounterState
      yield* counter.apply(add(41))
      const snapshot = Chunk.toReadonlyArray(yield* Stream.runCollect(yield* counter.snapshot))
      expect(snapshot).toEqual([{ value: 41 }])
      yield* counter.apply(add(1000))
      yield* counter.restore(Stream.fromIterable(snapshot))
      expect(yield* counter.query({ type: "read" })).toEqual({ type: "read_ok", value: 41 })
    }).pipe(Effect.provide(CounterStateMachine)))

  it.effect("refuses a malformed snapshot with MalformedSnapshot and keeps its state", () =>
    Effect.gen(function*() {
      const counter = yield* CounterState
      yield* counter.apply(add(9))
      const malformedSnapshots: ReadonlyArray<ReadonlyArray<unknown>> = [[["k", 1]], [{ value: "nine" }], [{ count: 9 }], [], [
        { value: 1 },
        { value: 2 }
      ]]
      for (const malformed of malformedSnapshots) {
        const error = yield* Effect.flip(counter.restore(Stream.fromIterable(malformed)))
        expect(error._tag).toBe("MalformedSnapshot")
        expect(error.message).toContain("counter snapshot")
      }
      expect(yield* counter.query({ type: "read" })).toEqual({ type: "read_ok", value: 9 })
    }).pipe(Effect.provide(CounterStateMachine)))
})
