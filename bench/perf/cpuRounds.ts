import { Effect } from "effect"

/** This process's CPU time so far (user + system), in µs. */
const cpuMicros = () => {
  const { system, user } = process.cpuUsage()
  return user + system
}

const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!

/**
 * Compares two ways of doing the same work by the CPU this process spends on
 * it: each runs once to warm up (so that neither pays for the JIT alone),
 * then both run `rounds` times, alternating which goes first. Prints each run
 * and the medians as µs of CPU per `unit` (each run does `units` of them),
 * and the ratio of the second to the first.
 */
export const compareInRounds = <E, R>(options: {
  readonly rounds: number
  readonly units: number
  readonly unit: string
  readonly first: readonly [name: string, run: Effect.Effect<void, E, R>]
  readonly second: readonly [name: string, run: Effect.Effect<void, E, R>]
}): Effect.Effect<void, E, R> =>
  Effect.gen(function*() {
    const kinds = [options.first, options.second] as const
    for (const [, run] of kinds) yield* run
    const results = new Map(kinds.map(([name]) => [name, [] as Array<number>]))
    for (let round = 1; round <= options.rounds; round++) {
      console.log(`round ${round}`)
      for (const [name, run] of round % 2 === 1 ? kinds : [...kinds].reverse()) {
        const before = cpuMicros()
        yield* run
        const perUnit = (cpuMicros() - before) / options.units
        console.log(`${name}: ${perUnit.toFixed(2)} µs CPU per ${options.unit}`)
        results.get(name)!.push(perUnit)
      }
    }
    const [first, second] = kinds.map(([name]) => median(results.get(name)!))
    console.log(
      `median: ${options.first[0]} ${first!.toFixed(2)} µs, ${options.second[0]} ${second!.toFixed(2)} µs, ratio ${
        (second! / first!).toFixed(2)
      }`
    )
  })
