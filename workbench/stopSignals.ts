import { Deferred, Effect, type Scope } from "effect"
import { exitCodeOnInterrupt } from "../foundation/runMainWithExitCode.js"

/** The signals that stop a test early: Ctrl-C at the terminal, and the usual request to terminate. */
const stopSignals = ["SIGINT", "SIGTERM"] as const

/**
 * A second signal this soon after the first is the same Ctrl-C: `npm run`
 * passes the terminal's SIGINT on to the workbench, which has it already.
 */
const sameSignalWithinMs = 1_000

/**
 * Listens for SIGINT and SIGTERM while the scope is open: the first one
 * completes the returned Deferred with the signal's name (the test stops and
 * saves what it has); a second one, a second or more later, exits at once.
 */
export const listenForStopSignals: Effect.Effect<Deferred.Deferred<string>, never, Scope.Scope> = Effect.gen(function*() {
  const stop = yield* Deferred.make<string>()
  let firstAt: number | undefined
  const onSignal = (signal: NodeJS.Signals) => {
    if (firstAt !== undefined) {
      if (performance.now() - firstAt < sameSignalWithinMs) return
      process.stderr.write(`\n${signal} again: exiting without saving\n`)
      process.exit(exitCodeOnInterrupt)
    }
    firstAt = performance.now()
    process.stderr.write(`\n${signal}: stopping the test and saving what it recorded so far (again to exit at once)\n`)
    Deferred.unsafeDone(stop, Effect.succeed(signal))
  }
  yield* Effect.acquireRelease(
    Effect.sync(() => stopSignals.forEach((signal) => process.on(signal, onSignal))),
    () => Effect.sync(() => stopSignals.forEach((signal) => process.removeListener(signal, onSignal)))
  )
  return stop
})
