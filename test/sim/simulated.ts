import { Cause, type Effect, Exit } from "effect"
import { runSimulation } from "../../sim/runSimulation.js"

/**
 * Runs a test program on simulated time (see sim/runSimulation.ts) and
 * returns its value; a failure, a defect (a failed `expect` inside), the
 * time limit or a livelock throws, so the test fails with the reason.
 */
export const simulated = <A, E>(program: Effect.Effect<A, E>, seed: string | number, timeLimitMs = 3_600_000): A => {
  const end = runSimulation(program, { seed, timeLimitMs })
  if (end._tag !== "Completed") throw new Error(`simulation stopped: ${end._tag} at ${end.atMs} ms`)
  if (Exit.isSuccess(end.exit)) return end.exit.value
  throw Cause.squash(end.exit.cause)
}
