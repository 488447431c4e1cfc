import { Effect, Random } from "effect"
import { describe, expect, it } from "vitest"
import { maelstromLinKv, makeGenerator, maxValueBytes, threadMix, writtenValues } from "../../linkv/generator.js"
import type { Operation } from "../../linkv/operation.js"

const reads = { read: 1, write: 0, cas: 0 }

describe("the lin-kv generator", () => {
  it("gives each key 2n threads on n nodes, n of them only reading, as Maelstrom does", () => {
    const groups = maelstromLinKv(3)
    const mixes = Array.from({ length: 12 }, (_, thread) => threadMix(groups, 12, groups.mix, thread))
    const writes = { read: 0, write: 1, cas: 2 }
    expect(mixes).toEqual([reads, reads, reads, writes, writes, writes, reads, reads, reads, writes, writes, writes])
  })

  it("splits a group left short by the concurrency into readers and writers, and lets a lone thread do everything", () => {
    const groups = maelstromLinKv(2)
    const mixes = Array.from({ length: 7 }, (_, thread) => threadMix(groups, 7, groups.mix, thread))
    // Groups of 4: [0 1 2 3] and [4 5 6], the latter with one reader.
    expect(mixes.map((mix) => mix === groups.mix ? "all" : mix.read === 1 ? "read" : "write"))
      .toEqual(["read", "read", "write", "write", "read", "write", "write"])
    expect(threadMix(maelstromLinKv(1), 1, groups.mix, 0)).toBe(groups.mix)
  })

  it("draws reads for the readers, writes and cas one to two for the others, and 116 to 128 operations per key", () => {
    const concurrency = 6
    const ops = Effect.runSync(
      Effect.gen(function*() {
        const generator = yield* makeGenerator({ ...maelstromLinKv(3), concurrency, rate: 100 })
        const drawn: Array<{ thread: number; op: Operation }> = []
        for (let i = 0; i < 3000; i++) drawn.push({ thread: i % concurrency, op: yield* generator.nextOperation(i % concurrency) })
        return drawn
      }).pipe(Effect.withRandom(Random.make(7)))
    )
    expect(ops.filter(({ thread }) => thread < 3).every(({ op }) => op.f === "read")).toBe(true)
    const writers = ops.filter(({ thread }) => thread >= 3).map(({ op }) => op.f)
    expect(writers).not.toContain("read")
    const casShare = writers.filter((f) => f === "cas").length / writers.length
    expect(casShare).toBeGreaterThan(0.6)
    expect(casShare).toBeLessThan(0.73)
    const perKey = new Map<number, number>()
    for (const { op } of ops) perKey.set(op.key, (perKey.get(op.key) ?? 0) + 1)
    const finishedKeys = [...perKey.entries()].slice(0, -1).map(([, count]) => count)
    expect(finishedKeys.length).toBeGreaterThan(15)
    expect(Math.min(...finishedKeys)).toBeGreaterThanOrEqual(116)
    expect(Math.max(...finishedKeys)).toBeLessThanOrEqual(128)
    expect(new Set(finishedKeys).size).toBeGreaterThan(3)
  })

  describe("values of a chosen size", () => {
    const draw = (valueBytes: number | undefined) =>
      Effect.runSync(
        Effect.gen(function*() {
          const generator = yield* makeGenerator({ ...maelstromLinKv(3), concurrency: 6, rate: 100, valueBytes })
          const drawn: Array<Operation> = []
          for (let i = 0; i < 600; i++) drawn.push(yield* generator.nextOperation(i % 6))
          return drawn
        }).pipe(Effect.withRandom(Random.make(7)))
      )

    it("writes and compares five strings of that many bytes, each its digit repeated, in the draws of the integers", () => {
      expect(writtenValues(undefined)).toEqual([0, 1, 2, 3, 4])
      expect(writtenValues(3)).toEqual(["000", "111", "222", "333", "444"])
      const integers = draw(undefined)
      const strings = draw(1024)
      const asInteger = (value: number | string) => typeof value === "string" ? Number(value[0]) : Number.NaN
      expect(
        strings.map((op) =>
          op.f === "read" ? op
            : op.f === "write" ? { ...op, value: asInteger(op.value) } : { ...op, from: asInteger(op.from), to: asInteger(op.to) }
        )
      ).toEqual(integers)
      const values = strings.flatMap((op) => (op.f === "write" ? [op.value] : op.f === "cas" ? [op.from, op.to] : []))
      expect(values.length).toBeGreaterThan(100)
      for (const value of values) {
        expect(typeof value === "string" && value.length === 1024 && Buffer.byteLength(value) === 1024).toBe(true)
      }
    })

    it("refuses a size that is not an integer from 1 to 1 MiB", () => {
      for (const bytes of [0, -1, 1.5, maxValueBytes + 1]) {
        expect(() => writtenValues(bytes)).toThrow(`a value of ${bytes} bytes: expected an integer from 1 to ${maxValueBytes}`)
      }
      expect(writtenValues(maxValueBytes)[4]).toBe("4".repeat(maxValueBytes))
    })
  })
})
