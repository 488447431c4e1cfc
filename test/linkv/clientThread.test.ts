import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { type Connection, runClientThread } from "../../linkv/clientThread.js"
import { makeGenerator, type OperationMix } from "../../linkv/generator.js"
import { makeHistoryRecorder } from "../../linkv/historyRecorder.js"
import type { Response } from "../../linkv/outcome.js"
import { simulated } from "../sim/simulated.js"

/** One client thread (thread 0 of 2) for 1 s against connections that always answer `response`. */
const runThread = (mix: OperationMix, response: Response) =>
  simulated(
    Effect.gen(function*() {
      const recorder = yield* makeHistoryRecorder(0n)
      const generator = yield* makeGenerator({ concurrency: 2, groupSize: 2, readOnlyPerGroup: 0, opsPerKey: { min: 60, max: 100 },
        rate: 20, mix })
      const events: Array<string> = []
      const connect = (process: number): Effect.Effect<Connection> =>
        Effect.sync(() => {
          events.push(`open ${process}`)
          return {
            node: `n${process % 3}`,
            call: () => Effect.succeed(response),
            close: Effect.sync(() => void events.push(`close ${process}`))
          }
        })
      yield* runClientThread({ generator, recorder, concurrency: 2, timeoutMs: 1000, untilMillis: 1000, connect }, 0)
      return { history: yield* recorder.lines, events }
    }),
    1
  )

describe("a lin-kv client thread", () => {
  it("retires a process whose write ends indefinite, and goes on as process + concurrency", () => {
    const { events, history } = runThread({ read: 0, write: 1, cas: 0 }, {
      _tag: "Reply",
      reply: { type: "error", code: 0, text: "timed out" }
    })
    const completions = history.filter((op) => op.type !== "invoke")
    expect(completions.length).toBeGreaterThan(3)
    expect(completions.every((op) => op.type === "info")).toBe(true)
    // Each operation by a fresh process: 0, 2, 4, ...
    expect(completions.map((op) => op.process)).toEqual(completions.map((_, i) => 2 * i))
    expect(events.slice(0, 4)).toEqual(["open 0", "close 0", "open 2", "close 2"])
    expect(events.at(-1)).toBe(`close ${2 * completions.length}`)
  })

  it("keeps the process when a read fails on an indefinite error or a timeout (a read changes nothing)", () => {
    const { events, history } = runThread({ read: 1, write: 0, cas: 0 }, { _tag: "Timeout", afterMs: 1000 })
    const completions = history.filter((op) => op.type !== "invoke")
    expect(completions.length).toBeGreaterThan(3)
    expect(completions.every((op) => op.type === "fail" && op.process === 0)).toBe(true)
    expect(events).toEqual(["open 0", "close 0"])
  })
})
