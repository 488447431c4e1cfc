import { Deferred, Effect, type Scope } from "effect"
import { exitCodeOnInterrupt } from "../src/runMainWithExitCode.js"

/** The signals that stop a test early: Ctrl-C at the terminal, and the usual request to terminate. */
const stopSignals = ["SIGINT", "SIGTERM"] as const

/**
 * Listens for SIGINT and SIGTERM while the scope is open: the first one
 * completes the returned Deferred with the signal's name (the test stops and
 * saves what it has); a second one exits at once.
 */
export const listenForStopSignals: Effect.Effect<Deferred.Deferred<string>, never, Scope.Scope> = Effect.gen(function*() {
  const stop = yield* Deferred.make<string>()
  let signalled = false
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      process.stderr.write(`\n${signal} again: exiting without saving\n`)
      process.exit(exitCodeOnInterrupt)
    }
    signalled = true
    process.stderr.write(`\n${signal}: stopping the test and saving what it recorded so far (again to exit at once)\n`)
    Deferred.unsafeDone(stop, Effect.succeed(signal))
  }
  yield* Effect.acquireRelease(
    Effect.sync(() => stopSignals.forEach((signal) => process.on(signal, onSignal))),
    () => Effect.sync(() => stopSignals.forEach((signal) => process.removeListener(signal, onSignal)))
  )
  return stop
})
