/**
 * The CPU cost of bounding a wait by a timeout, the two ways a node could:
 * Effect.timeoutFail around each wait, or one Timeouts timer for all waits of
 * one duration (foundation/Timeouts.ts, what the network core and client requests
 * use). Each wait is as an RPC's: a fiber awaits a Deferred that another
 * fiber completes soon after, long before the timeout. Rounds alternate the
 * order of the two; prints µs of process CPU (user + system) per wait.
 * Usage (after `npm run build`): node dist/bench/perf/timeoutCost.js [WAITS] [ROUNDS]
 */
import { Deferred, Effect, Fiber } from "effect"
import { RpcTimeout } from "../../services/Network.js"
import { makeTimeouts, type Timeouts } from "../../foundation/Timeouts.js"
import { compareInRounds } from "./cpuRounds.js"

const waits = Number(process.argv[2] ?? 20_000)
const rounds = Number(process.argv[3] ?? 3)
/** Waits at once: a node has some hundreds of RPCs and requests in flight when loaded. */
const inFlight = 100

type Bounded = (deferred: Deferred.Deferred<number, RpcTimeout>) => Effect.Effect<number, RpcTimeout>

const timeout = () => new RpcTimeout({ dest: "n2", type: "append_entries" })
const withTimeoutFail: Effect.Effect<Bounded> = Effect.succeed((deferred) =>
  Effect.timeoutFail(Deferred.await(deferred), { duration: 500, onTimeout: timeout })
)
const withTimeouts = (timeouts: Timeouts): Bounded => (deferred) =>
  Effect.suspend(() => {
    // As an RPC does: the deadline is over once the wait is.
    let ended = false
    return Effect.zipRight(
      timeouts.start(() => ended, Deferred.fail(deferred, timeout())),
      Effect.ensuring(Deferred.await(deferred), Effect.sync(() => void (ended = true)))
    )
  })

/** `waits` waits, `inFlight` at a time, each completed by another fiber once it started waiting. */
const run = (bounded: Bounded) =>
  Effect.gen(function*() {
    for (let done = 0; done < waits; done += inFlight) {
      const deferreds = yield* Effect.forEach(Array.from({ length: inFlight }), () => Deferred.make<number, RpcTimeout>())
      const waiting = yield* Effect.forEach(deferreds, (deferred) => Effect.fork(bounded(deferred)))
      yield* Effect.yieldNow()
      yield* Effect.forEach(deferreds, (deferred, i) => Deferred.succeed(deferred, i))
      yield* Effect.forEach(waiting, Fiber.join)
    }
  })

const main = Effect.gen(function*() {
  const timeouts = yield* makeTimeouts(500)
  yield* compareInRounds({
    rounds,
    units: waits,
    unit: "wait",
    first: ["Effect.timeoutFail", run(yield* withTimeoutFail)],
    second: ["Timeouts", run(withTimeouts(timeouts))]
  })
})

Effect.runPromise(Effect.scoped(main))
