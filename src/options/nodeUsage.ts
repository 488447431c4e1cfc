import { type NodeParameter, parameters } from "./nodeParameters.js"
import type { NodeUsageError } from "./NodeUsageError.js"
import { serveParameters } from "./serveParameters.js"

const meaningIndent = "      "
const lineWidth = 80

/** A meaning as indented lines of at most lineWidth characters, broken between words. */
const wrapped = (text: string): ReadonlyArray<string> =>
  text.split(" ").reduce<Array<string>>((lines, word) => {
    const last = lines.at(-1)
    if (last !== undefined && last.length + 1 + word.length <= lineWidth) lines[lines.length - 1] = `${last} ${word}`
    else lines.push(`${meaningIndent}${word}`)
    return lines
  }, [])

/** Each setting's flag, variable and default on one line, its meaning wrapped below. */
const settingLines = (known: ReadonlyArray<NodeParameter>): ReadonlyArray<string> => {
  const flagColumn = Math.max(...known.map(({ flag, placeholder }) => `${flag} ${placeholder}`.length)) + 2
  const variableColumn = Math.max(...known.map(({ variable }) => variable.length)) + 2
  return known.flatMap(({ flag, meaning, placeholder, shownDefault, variable }) => [
    `  ${`${flag} ${placeholder}`.padEnd(flagColumn)}${variable.padEnd(variableColumn)}default: ${shownDefault}`,
    ...wrapped(meaning)
  ])
}

const environmentOnly = [
  "  --help, -h",
  "      print this help and exit",
  "",
  "Environment only:",
  "  RAFT_LOG_LEVEL      the stderr log level: trace, debug, info, warn, error,",
  "                      fatal or off (default: info)",
  "  RAFT_SOURCE_MAPS    when set, stack traces name the TypeScript files (an idle",
  "                      node then takes twice the memory)"
]

/** What `bin/raft --help` prints: every setting from the parameter table, then the variables that have no flag. */
export const nodeUsage: string = [
  "Usage: bin/raft [--flag VALUE | --flag=VALUE]...",
  "       bin/raft serve --id ID --peers ID=HOST:PORT,... --client-port PORT [--flag VALUE]...",
  "",
  "The Maelstrom lin-kv node: a key-value store replicated with Raft. It reads",
  "JSON messages on stdin, writes them on stdout and logs on stderr; Maelstrom",
  "starts it without flags. Each flag can also be set by its environment",
  "variable; the flag wins. `bin/raft serve --help` describes the serve mode.",
  "",
  ...settingLines(parameters),
  ...environmentOnly
].join("\n")

/** What `bin/raft serve --help` prints. */
export const serveUsage: string = [
  "Usage: bin/raft serve --id ID --peers ID=HOST:PORT,... --client-port PORT [--flag VALUE]...",
  "",
  "The same node served for real: it talks to its peers over TCP (one JSON",
  "message a line) and to clients over HTTP (see bin/kvctl), and logs on",
  "stderr. SIGTERM or SIGINT stops it; a leader hands leadership over first.",
  "Each flag can also be set by its environment variable; the flag wins.",
  "",
  ...settingLines(serveParameters),
  ...environmentOnly
].join("\n")

/** What a refused command line prints on stderr: each problem, then where the flags are listed. */
export const refusalReport = (error: NodeUsageError): string =>
  [...error.problems, "the node did not start; bin/raft --help lists the flags"].map((line) => `bin/raft: ${line}`).join("\n")
