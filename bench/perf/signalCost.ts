/**
 * The CPU cost of one ring and wake of a Signal (src/raft/Signal.ts), against
 * the sliding queue of one it replaced: two fibers pass a turn back and forth
 * through two signals, so every wait blocks and every ring wakes a fiber, as
 * a replicator's, the commit advancer's and the applier's do under load.
 * Rounds alternate the order of the two; prints µs of process CPU (user +
 * system) per ring and wake.
 * Usage (after `npm run build`): node dist/bench/perf/signalCost.js [TURNS] [ROUNDS]
 */
import { Effect, Fiber, Queue } from "effect"
import { makeSignal, type Signal } from "../../src/raft/Signal.js"

const turns = Number(process.argv[2] ?? 50_000)
const rounds = Number(process.argv[3] ?? 5)

/** The Signal as it was: a sliding queue of one, whose take allocates a Deferred when it must wait. */
const slidingQueueSignal: Effect.Effect<Signal> = Effect.map(Queue.sliding<void>(1), (queue) => ({
  ring: Queue.offer(queue, undefined).pipe(Effect.asVoid),
  wait: Queue.take(queue)
}))

const pingPong = (make: Effect.Effect<Signal>) =>
  Effect.gen(function*() {
    const [ping, pong] = [yield* make, yield* make]
    const other = yield* Effect.fork(Effect.repeatN(Effect.zipRight(ping.wait, pong.ring), turns - 1))
    yield* Effect.repeatN(Effect.zipRight(ping.ring, pong.wait), turns - 1)
    yield* Fiber.join(other)
  })

const cpuMicros = () => {
  const { system, user } = process.cpuUsage()
  return user + system
}

const measure = (name: string, make: Effect.Effect<Signal>) =>
  Effect.gen(function*() {
    const before = cpuMicros()
    yield* pingPong(make)
    // Two rings and two wakes per turn.
    const perRing = (cpuMicros() - before) / (2 * turns)
    console.log(`${name}: ${perRing.toFixed(2)} µs CPU per ring and wake`)
    return perRing
  })

const main = Effect.gen(function*() {
  const kinds = { "sliding queue": slidingQueueSignal, "Signal": makeSignal }
  // Warm up both, so that neither pays for the JIT alone.
  for (const make of Object.values(kinds)) yield* pingPong(make)
  const results: Record<string, Array<number>> = { "sliding queue": [], "Signal": [] }
  for (let round = 1; round <= rounds; round++) {
    console.log(`round ${round}`)
    const names = Object.keys(kinds) as Array<keyof typeof kinds>
    for (const name of round % 2 === 1 ? names : names.reverse()) results[name]!.push(yield* measure(name, kinds[name]))
  }
  const median = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!
  const [queue, signal] = [median(results["sliding queue"]!), median(results["Signal"]!)]
  console.log(`median: sliding queue ${queue.toFixed(2)} µs, Signal ${signal.toFixed(2)} µs, ratio ${(signal / queue).toFixed(2)}`)
})

Effect.runPromise(main)
