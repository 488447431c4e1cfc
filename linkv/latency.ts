import { Effect, Random } from "effect"

/** How long a node-to-node message travels one way. */
export type LatencyDistribution =
  | { readonly _tag: "Constant"; readonly ms: number }
  | { readonly _tag: "Uniform"; readonly minMs: number; readonly maxMs: number }
  /** Most messages fast, a long tail of slow ones. */
  | { readonly _tag: "Exponential"; readonly meanMs: number }

/** Maelstrom's `--latency-dist` names. */
export const maelstromLatencyNames = ["constant", "uniform", "exponential"] as const
export type MaelstromLatencyName = (typeof maelstromLatencyNames)[number]

/** Maelstrom's `--latency MS --latency-dist NAME`: every distribution has mean MS (uniform spans 0 to 2 x MS). */
export const maelstromLatency = (meanMs: number, name: MaelstromLatencyName): LatencyDistribution => {
  switch (name) {
    case "constant":
      return { _tag: "Constant", ms: meanMs }
    case "uniform":
      return { _tag: "Uniform", minMs: 0, maxMs: 2 * meanMs }
    case "exponential":
      return { _tag: "Exponential", meanMs }
  }
}

/** One delay in whole milliseconds (Maelstrom's unit), drawn from the run's Random. */
export const sampleLatency = (latency: LatencyDistribution): Effect.Effect<number> => {
  switch (latency._tag) {
    case "Constant":
      return Effect.succeed(Math.max(0, Math.round(latency.ms)))
    case "Uniform":
      return Random.nextIntBetween(Math.round(latency.minMs), Math.round(latency.maxMs) + 1)
    case "Exponential":
      // 1 - u is in (0, 1], so the logarithm is finite.
      return latency.meanMs <= 0
        ? Effect.succeed(0)
        : Effect.map(Random.next, (u) => Math.round(-Math.log(1 - u) * latency.meanMs))
  }
}

export const describeLatency = (latency: LatencyDistribution): string => {
  switch (latency._tag) {
    case "Constant":
      return `constant ${latency.ms} ms`
    case "Uniform":
      return `uniform ${latency.minMs}..${latency.maxMs} ms`
    case "Exponential":
      return `exponential, mean ${latency.meanMs} ms`
  }
}
