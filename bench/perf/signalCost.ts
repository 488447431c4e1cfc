/**
 * The CPU cost of one ring and wake of a Signal (foundation/Signal.ts), against
 * the sliding queue of one it replaced: two fibers pass a turn back and forth
 * through two signals, so every wait blocks and every ring wakes a fiber, as
 * a replicator's, the proposer's and the applier's do under load.
 * Rounds alternate the order of the two; prints µs of process CPU (user +
 * system) per ring and wake.
 * Usage (after `npm run build`): node dist/bench/perf/signalCost.js [TURNS] [ROUNDS]
 */
import { Effect, Fiber, Queue } from "effect"
import { makeSignal, type Signal } from "../../foundation/Signal.js"
import { compareInRounds } from "./cpuRounds.js"

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

// Two rings and two wakes per turn.
const main = compareInRounds({
  rounds,
  units: 2 * turns,
  unit: "ring and wake",
  first: ["sliding queue", pingPong(slidingQueueSignal)],
  second: ["Signal", pingPong(makeSignal)]
})

Effect.runPromise(main)
