import * as fs from "node:fs"
import * as path from "node:path"
import { afterEach, describe, expect, it, vi } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { KvStateMachine } from "../../layers/KvStateMachine.js"
import { LinKvState } from "../../src/kv/LinKvState.js"
import { cutIntoChunks, snapshotItems } from "../../src/raft/snapshotChunks.js"
import { entry, freshDirectory, withCompactingLog, withLog } from "../support/fileLogs.js"

const collect = <A, E>(stream: Stream.Stream<A, E>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

describe("cutting a snapshot's items into chunks", () => {
  it.effect("makes chunks of at most the size asked, an item larger than that alone in its own, and at least one", () =>
    Effect.gen(function*() {
      const items = [1, "two", [3, 3], "x".repeat(12), null, { six: 6 }]
      const chunks = yield* collect(cutIntoChunks(Stream.fromIterable(items), 10))
      expect(chunks).toEqual(["[1,\"two\"]", "[[3,3]]", `["${"x".repeat(12)}"]`, "[null]", "[{\"six\":6}]"])
      expect(chunks.flatMap((text) => JSON.parse(text) as Array<unknown>)).toEqual(items)
      expect(yield* collect(cutIntoChunks(Stream.empty, 10))).toEqual(["[]"])
      // Each run cuts afresh.
      const once = cutIntoChunks(Stream.fromIterable(items), 1000)
      expect(yield* collect(once)).toEqual(yield* collect(once))
    }))
})

describe("a state larger than the longest string", () => {
  afterEach(() => void vi.restoreAllMocks())

  it.effect("is snapshotted, written, read back and restored a chunk at a time, never as one string", () =>
    Effect.gen(function*() {
      // V8's longest string, brought down to 4,000 characters: a whole-state JSON text of 11,000 could not be made.
      const longest = 4000
      const stringify = JSON.stringify.bind(JSON)
      vi.spyOn(JSON, "stringify").mockImplementation((...args: Parameters<typeof JSON.stringify>) => {
        const text = stringify(...args)
        if (text !== undefined && text.length > longest) throw new RangeError("Invalid string length")
        return text
      })
      const value = "v".repeat(100)
      const writes = Array.from({ length: 100 }, (_, key) => ({ type: "write", key, value }) as const)
      const directory = freshDirectory()
      yield* Effect.gen(function*() {
        const machine = yield* LinKvState
        yield* Effect.forEach(writes, machine.apply, { discard: true })
        expect(() => JSON.stringify(writes)).toThrow("Invalid string length")
        const items = yield* machine.snapshot
        yield* withCompactingLog(directory, (log, compacted) =>
          Effect.gen(function*() {
            for (let first = 1; first <= 100; first += 10) {
              yield* log.append(Array.from({ length: 10 }, (_, i) => entry(1, first + i)))
            }
            yield* log.saveSnapshot({ lastIndex: 100, lastTerm: 1, chunks: cutIntoChunks(items, 1000) })
            yield* compacted
          }))
      }).pipe(Effect.provide(KvStateMachine))
      // On disk, a record per chunk, none near the longest string.
      const lines = fs.readFileSync(path.join(directory, "n2.log"), "utf8").split("\n")
      expect(lines.filter((line) => line.includes("{\"snapshot_chunk\":")).length).toBeGreaterThanOrEqual(11)
      expect(Math.max(...lines.map((line) => line.length))).toBeLessThan(1100)
      const restored = yield* withLog(directory, (log) =>
        Effect.gen(function*() {
          const machine = yield* LinKvState
          yield* machine.restore(snapshotItems(log.snapshot()!))
          return yield* Effect.forEach([0, 57, 99, 100], (key) => machine.query({ type: "read", key }))
        }).pipe(Effect.provide(KvStateMachine)))
      expect(restored).toEqual([
        { type: "read_ok", value },
        { type: "read_ok", value },
        { type: "read_ok", value },
        { type: "error", code: 20, text: "key 100 does not exist" }
      ])
    }))
})
