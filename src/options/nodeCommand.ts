import { Config, Data, Effect, Either, Option } from "effect"
import { parseNodeArguments } from "./nodeArguments.js"
import { type NodeParameter, parameters } from "./nodeParameters.js"
import { type NodeSettings, resolveNodeSettings } from "./nodeSettings.js"
import { NodeUsageError } from "./NodeUsageError.js"
import { readConfigFile } from "./configFile.js"
import { configParameter, serveParameters } from "./serveParameters.js"
import { resolveServeSettings, type ServeSettings } from "./serveSettings.js"

/**
 * What bin/raft was asked to do: print the usage of a mode, run a Maelstrom
 * node with these settings (the default), or serve a node over TCP and HTTP.
 */
export type NodeCommand = Data.TaggedEnum<{
  ShowHelp: { readonly mode: "maelstrom" | "serve" }
  RunNode: { readonly settings: NodeSettings }
  Serve: { readonly settings: NodeSettings; readonly serve: ServeSettings }
}>
export const NodeCommand = Data.taggedEnum<NodeCommand>()

/** The word that picks the serve mode; without it, bin/raft is a Maelstrom node. */
export const serveCommand = "serve"

/** The environment variables of these settings that are set, by name. */
const environmentOf = (known: ReadonlyArray<NodeParameter>) =>
  Config.all(
    Object.fromEntries(known.map(({ variable }) => [variable, Config.option(Config.string(variable))]))
  ).pipe(
    Config.map((values) =>
      new Map(Object.entries(values).flatMap(([name, value]) => Option.toArray(value).map((text) => [name, text] as const)))
    ),
    Effect.mapError((error) => new NodeUsageError({ problems: [`the environment cannot be read: ${error.message}`] }))
  )

/**
 * Reads the command line and the environment (through the ConfigProvider) and
 * checks every value before anything else happens: a run with any problem is
 * refused whole, naming each one, even when --help is among its flags. Only
 * the variables of the mode asked for are read: a Maelstrom node does not
 * look at RAFT_PEERS.
 */
export const readNodeCommand = (args: ReadonlyArray<string>): Effect.Effect<NodeCommand, NodeUsageError> =>
  Effect.gen(function*() {
    const serving = args[0] === serveCommand
    const known = serving ? serveParameters : parameters
    const commandLine = parseNodeArguments(serving ? args.slice(1) : args, known, serving ? "bin/raft serve" : "bin/raft")
    const variables = yield* environmentOf(known)
    const configPath = commandLine.given.get(configParameter) ?? variables.get(configParameter.variable)
    const config = serving && configPath !== undefined
      ? readConfigFile(configPath, serveParameters.filter((parameter) => parameter !== configParameter)) : undefined
    const file = config !== undefined && Either.isRight(config) ? config.right : undefined
    const settings = resolveNodeSettings(commandLine.given, variables, file)
    // Help asked for in serve mode needs none of its required settings; with a config file refused, what it lacks is no news.
    const serve = serving && !commandLine.help && !(config !== undefined && Either.isLeft(config))
      ? resolveServeSettings(commandLine.given, variables, file)
      : undefined
    const problems = [
      ...commandLine.problems,
      ...(config !== undefined && Either.isLeft(config) ? config.left : []),
      ...(Either.isLeft(settings) ? settings.left : []),
      ...(serve !== undefined && Either.isLeft(serve) ? serve.left : [])
    ]
    if (problems.length > 0 || Either.isLeft(settings)) return yield* new NodeUsageError({ problems })
    if (commandLine.help) return NodeCommand.ShowHelp({ mode: serving ? "serve" : "maelstrom" })
    if (!serving) return NodeCommand.RunNode({ settings: settings.right })
    if (serve === undefined) return yield* new NodeUsageError({ problems: ["the serve settings could not be read"] })
    if (Either.isLeft(serve)) return yield* new NodeUsageError({ problems })
    return NodeCommand.Serve({ settings: settings.right, serve: serve.right })
  })
