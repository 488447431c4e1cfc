import { NodeContext } from "@effect/platform-node"
import { Console, Effect } from "effect"
import { StderrLogger } from "../foundation/StderrLogger.js"
import { runMainWithExitCode } from "../foundation/runMainWithExitCode.js"
import { runCli } from "./cli.js"

/** Exit codes: 0 every seed passed, 1 a seed failed, 2 bad usage. */
const program = runCli(process.argv).pipe(
  Effect.as(0),
  Effect.catchTags({
    SeedsFailed: () => Effect.succeed(1),
    UsageError: (error) => Effect.as(Console.error(`error: ${error.message}`), 2)
  }),
  Effect.catchAll((error) => Effect.as(Console.error(`error: ${String(error)}`), 2)),
  Effect.provide(NodeContext.layer),
  Effect.provide(StderrLogger(process.env.SIM_LOG_LEVEL))
)

runMainWithExitCode(program, 2)
