import { Effect, Random } from "effect"
import type { LatencyDistribution } from "./testOptions.js"

/** One node<->node delay in milliseconds, with the given mean. */
export const sampleLatency = (meanMs: number, distribution: LatencyDistribution): Effect.Effect<number> => {
  if (meanMs <= 0) return Effect.succeed(0)
  switch (distribution) {
    case "constant":
      return Effect.succeed(meanMs)
    case "uniform":
      return Effect.map(Random.next, (u) => u * 2 * meanMs)
    case "exponential":
      // 1 - u is in (0, 1], so the logarithm is finite.
      return Effect.map(Random.next, (u) => -Math.log(1 - u) * meanMs)
  }
}
