import { describe, expect, it } from "@effect/vitest"
import { inSeedOrder, releaseInOrder, type SeedOutcome } from "../../sim/parallelSeeds.js"

const outcome = (seed: number): SeedOutcome => ({
  seed,
  violation: null,
  operations: { ok: 0, fail: 0, info: 0 },
  recoveredInMs: 0,
  livenessBoundMs: 0,
  simulatedMs: 0
})

/** The seeds released after each arrival, when outcomes arrive in `arrivals` order. */
const releases = (first: number, arrivals: ReadonlyArray<number>) => {
  let state = inSeedOrder(first)
  return arrivals.map((seed) => {
    const [next, released] = releaseInOrder(state, outcome(seed))
    state = next
    return released.map((result) => result.seed)
  })
}

describe("outcomes from worker threads, back in seed order", () => {
  it.each([
    { arrivals: [1, 2, 3], released: [[1], [2], [3]] },
    { arrivals: [2, 1, 3], released: [[], [1, 2], [3]] },
    { arrivals: [3, 2, 4, 1], released: [[], [], [], [1, 2, 3, 4]] },
    { arrivals: [1, 3, 5, 2, 4], released: [[1], [], [], [2, 3], [4, 5]] }
  ])("arriving as $arrivals", ({ arrivals, released }) => {
    expect(releases(1, arrivals)).toEqual(released)
  })

  it("starts from the first seed of the range", () => {
    expect(releases(11, [12, 11])).toEqual([[], [11, 12]])
  })
})
