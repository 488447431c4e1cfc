import { NodeContext } from "@effect/platform-node"
import { Console, Effect } from "effect"
import { StderrLogger } from "../foundation/StderrLogger.js"
import { runMainWithExitCode } from "../foundation/runMainWithExitCode.js"
import { runCli } from "./cli.js"

/**
 * Exit codes: 0 every test valid, 1 a test invalid, 2 the test could not run
 * (bad input, a node that failed to start), 130 stopped by Ctrl-C (or SIGTERM).
 */
const program = runCli(process.argv).pipe(
  Effect.as(0),
  Effect.catchTags({
    RunInvalid: () => Effect.succeed(1),
    RunInterrupted: () => Effect.succeed(130),
    OptionsRejected: () => Effect.succeed(2),
    UsageError: (error) => Effect.as(Console.error(`error: ${error.message}`), 2),
    NodeInitError: (error) => Effect.as(Console.error(`error: test aborted: ${error.message}`), 2),
    NodeSpawnError: (error) => Effect.as(Console.error(`error: ${error.message}`), 2)
  }),
  Effect.catchAll((error) => Effect.as(Console.error(`error: ${String(error)}`), 2)),
  Effect.provide(NodeContext.layer),
  Effect.provide(StderrLogger(process.env.WORKBENCH_LOG_LEVEL))
)

runMainWithExitCode(program, 2)
