import { Config, Data, Effect, Either, Option } from "effect"
import { parseNodeArguments } from "./nodeArguments.js"
import { parameters } from "./nodeParameters.js"
import { type NodeSettings, resolveNodeSettings } from "./nodeSettings.js"
import { NodeUsageError } from "./NodeUsageError.js"

/** What bin/raft was asked to do: print its usage, or run a node with these settings. */
export type NodeCommand = Data.TaggedEnum<{
  ShowHelp: {}
  RunNode: { readonly settings: NodeSettings }
}>
export const NodeCommand = Data.taggedEnum<NodeCommand>()

/** The settings' environment variables that are set, by name. */
const environment = Config.all(
  Object.fromEntries(parameters.map(({ variable }) => [variable, Config.option(Config.string(variable))]))
).pipe(
  Config.map((values) =>
    new Map(Object.entries(values).flatMap(([name, value]) => Option.toArray(value).map((text) => [name, text] as const)))
  )
)

/**
 * Reads the command line and the environment (through the ConfigProvider) and
 * checks every value before anything else happens: a run with any problem is
 * refused whole, naming each one, even when --help is among its flags.
 */
export const readNodeCommand = (args: ReadonlyArray<string>): Effect.Effect<NodeCommand, NodeUsageError> =>
  Effect.gen(function*() {
    const commandLine = parseNodeArguments(args)
    const variables = yield* environment.pipe(
      Effect.mapError((error) => new NodeUsageError({ problems: [`the environment cannot be read: ${error.message}`] }))
    )
    const settings = resolveNodeSettings(commandLine.given, variables)
    const problems = [...commandLine.problems, ...(Either.isLeft(settings) ? settings.left : [])]
    if (problems.length > 0 || Either.isLeft(settings)) return yield* new NodeUsageError({ problems })
    return commandLine.help ? NodeCommand.ShowHelp() : NodeCommand.RunNode({ settings: settings.right })
  })
