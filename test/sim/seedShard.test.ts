import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { parseShard, shardOfRange } from "../../sim/seedShard.js"

describe("--shard I/N", () => {
  it.each([
    ["1/1", { index: 1, of: 1 }],
    ["2/4", { index: 2, of: 4 }],
    [" 4/4 ", { index: 4, of: 4 }]
  ])("reads %j", (text, shard) => {
    expect(parseShard(text)).toEqual(Either.right(shard))
  })

  it.each(["3/2", "0/2", "1/0", "0/0", "1", "1/2/3", "a/b", "-1/2", "1.5/2", ""])("refuses %j", (text) => {
    expect(Either.isLeft(parseShard(text))).toBe(true)
  })

  it.each([
    { first: 1, count: 10, of: 1, slices: [[1, 10]] },
    { first: 1, count: 10, of: 2, slices: [[1, 5], [6, 5]] },
    { first: 1, count: 10, of: 3, slices: [[1, 3], [4, 3], [7, 4]] },
    { first: 1, count: 10, of: 4, slices: [[1, 2], [3, 3], [6, 2], [8, 3]] },
    { first: 101, count: 5, of: 5, slices: [[101, 1], [102, 1], [103, 1], [104, 1], [105, 1]] },
    { first: 1, count: 1000, of: 3, slices: [[1, 333], [334, 333], [667, 334]] }
  ])("cuts $count seeds from $first into $of slices", ({ count, first, of, slices }) => {
    const shards = Array.from({ length: of }, (_, i) => shardOfRange({ first, count }, { index: i + 1, of }))
    expect(shards.map((shard) => [shard.first, shard.count])).toEqual(slices)
  })

  it("slices partition the range: every seed in exactly one, sizes within one of each other", () => {
    for (const count of [1, 2, 7, 10, 99, 1000]) {
      for (let of = 1; of <= Math.min(count, 12); of++) {
        const shards = Array.from({ length: of }, (_, i) => shardOfRange({ first: 5, count }, { index: i + 1, of }))
        const seeds = shards.flatMap((shard) => Array.from({ length: shard.count }, (_, i) => shard.first + i))
        expect(seeds).toEqual(Array.from({ length: count }, (_, i) => 5 + i))
        const sizes = shards.map((shard) => shard.count)
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1)
      }
    }
  })
})
