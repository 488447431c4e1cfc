import { FetchHttpClient } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { Console, Effect, Layer } from "effect"
import { StderrLogger } from "../foundation/StderrLogger.js"
import { runMainWithExitCode } from "../foundation/runMainWithExitCode.js"
import { runKvctl } from "./cli.js"

/**
 * kvctl: 0 done; 1 the store answered with an error (the answer says which,
 * and whether it is definite); 2 the command line cannot be used; 3 no
 * endpoint gave an answer (each is named with why).
 */
const program = runKvctl(process.argv).pipe(
  Effect.as(0),
  Effect.catchTags({
    StoreRefused: () => Effect.succeed(1),
    CommandLineRejected: () => Effect.succeed(2),
    KvctlUsageError: (error) => Effect.as(Console.error(`kvctl: ${error.message}`), 2),
    NoEndpointAnswered: (error) => Effect.as(Console.error(`kvctl: ${error.message}`), 3)
  }),
  Effect.catchAll((error) => Effect.as(Console.error(`kvctl: ${String(error)}`), 2)),
  Effect.provide(Layer.mergeAll(NodeContext.layer, FetchHttpClient.layer)),
  Effect.provide(StderrLogger(process.env["KVCTL_LOG_LEVEL"]))
)

runMainWithExitCode(program, 2)
