import { Worker } from "node:worker_threads"
import { Data, Effect, Exit, Queue, Stream } from "effect"
import type { SeedResult } from "./runSeed.js"
import type { ScenarioSpec } from "./scenarioSpec.js"
import type { SeedRange } from "./seedShard.js"

/** What a worker reports of a seed: its result without the history. */
export type SeedOutcome = Omit<SeedResult, "history">

/** A worker thread died or could not start: the seed has no result. */
export class SeedWorkerFailed extends Data.TaggedError("SeedWorkerFailed")<{
  readonly seed: number
  readonly reason: string
}> {
  override get message() {
    return `the worker thread running seed ${this.seed} failed: ${this.reason}`
  }
}

/** The compiled worker beside this module (dist/sim/seedWorker.js): worker threads load JavaScript. */
const workerScript = new URL("./seedWorker.js", import.meta.url)

const startWorker = (spec: ScenarioSpec) =>
  Effect.acquireRelease(
    Effect.sync(() => new Worker(workerScript, { workerData: spec })),
    (worker) => Effect.promise(() => worker.terminate())
  )

/** Runs one seed on a worker and waits for its outcome. */
const runOn = (worker: Worker, seed: number) =>
  Effect.async<SeedOutcome, SeedWorkerFailed>((resume) => {
    const stopListening = () => {
      worker.off("message", onMessage)
      worker.off("error", onError)
      worker.off("exit", onExit)
    }
    const onMessage = (outcome: SeedOutcome) => {
      stopListening()
      resume(Effect.succeed(outcome))
    }
    const onError = (error: Error) => {
      stopListening()
      resume(Effect.fail(new SeedWorkerFailed({ seed, reason: error.stack ?? String(error) })))
    }
    const onExit = (code: number) => {
      stopListening()
      resume(Effect.fail(new SeedWorkerFailed({ seed, reason: `it exited with code ${code}` })))
    }
    worker.on("message", onMessage)
    worker.on("error", onError)
    worker.on("exit", onExit)
    worker.postMessage(seed)
    return Effect.sync(stopListening)
  })

/** Outcomes that arrived before an earlier seed's, and the seed to report next. */
interface Reorder {
  readonly next: number
  readonly held: ReadonlyMap<number, SeedOutcome>
}

export const inSeedOrder = (first: number): Reorder => ({ next: first, held: new Map() })

export const releaseInOrder = (state: Reorder, outcome: SeedOutcome): readonly [Reorder, Array<SeedOutcome>] => {
  const held = new Map(state.held).set(outcome.seed, outcome)
  const released: Array<SeedOutcome> = []
  let next = state.next
  for (let ready = held.get(next); ready !== undefined; ready = held.get(next)) {
    released.push(ready)
    held.delete(next)
    next++
  }
  return [{ next, held }, released]
}

/**
 * The outcomes of a range of seeds, in seed order, run on `workers` worker
 * threads: each idle worker takes the next seed, so a slow seed holds up no
 * other worker, and the outcomes are the same whatever the number of workers
 * (each seed's run depends on its seed alone). Stopping the stream early (at
 * a failing seed) stops the workers.
 */
export const seedOutcomes = (
  spec: ScenarioSpec,
  range: SeedRange,
  workers: number
): Stream.Stream<SeedOutcome, SeedWorkerFailed> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    const idle = yield* Queue.unbounded<Worker>()
    for (let i = 0; i < workers; i++) yield* Queue.offer(idle, yield* startWorker(spec))
    const runSeed = (seed: number) =>
      Effect.acquireUseRelease(
        Queue.take(idle),
        (worker) => runOn(worker, seed),
        // A worker interrupted mid-seed may still answer: it is not used again.
        (worker, exit) => Exit.isSuccess(exit) ? Queue.offer(idle, worker) : Effect.void
      )
    return Stream.range(range.first, range.first + range.count - 1).pipe(
      // Unordered, so that a slow seed holds up no worker (an ordered stream waits for it before taking more)...
      Stream.mapEffect(runSeed, { concurrency: workers, unordered: true }),
      // ...then each outcome is held until every seed before it has reported.
      Stream.mapAccum(inSeedOrder(range.first), releaseInOrder),
      Stream.flattenIterables
    )
  }))
