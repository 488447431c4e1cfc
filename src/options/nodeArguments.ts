import { closestFlags } from "./closestFlags.js"
import { helpFlags, type NodeParameter, parameters } from "./nodeParameters.js"

/** What a command line says: the settings it gives, whether it asks for help, and what is wrong with it. */
export interface NodeArguments {
  readonly given: ReadonlyMap<NodeParameter, string>
  readonly help: boolean
  readonly problems: ReadonlyArray<string>
}

/** `a`, `a or b`, `a, b or c`. */
const orList = (words: ReadonlyArray<string>): string =>
  words.length <= 1 ? words.join("") : `${words.slice(0, -1).join(", ")} or ${words.at(-1)}`

const unknownFlag = (flag: string, knownFlags: ReadonlyArray<string>): string => {
  const closest = closestFlags(flag, knownFlags)
  return closest.length === 0 ? `unknown flag ${flag}` : `unknown flag ${flag} (did you mean ${orList(closest)}?)`
}

/**
 * Reads `--flag VALUE` and `--flag=VALUE`. Every problem is collected, so one
 * refusal names them all: an unknown flag (with the flag it probably meant),
 * a flag without its value or given twice, a word that is no flag. A flag is
 * never taken as another flag's value, so `--data-dir --heartbeat-ms 5`
 * says --data-dir lacks its value. `known` are the settings of the mode
 * being read (the Maelstrom node's by default), `command` how --help names it.
 */
export const parseNodeArguments = (
  args: ReadonlyArray<string>,
  known: ReadonlyArray<NodeParameter> = parameters,
  command = "bin/raft"
): NodeArguments => {
  const byFlag = new Map(known.map((parameter) => [parameter.flag, parameter]))
  // What an unknown flag is compared with for a suggestion (-h is too short to be anyone's near miss).
  const knownFlags = [...known.map(({ flag }) => flag), "--help"]
  const given = new Map<NodeParameter, string>()
  const problems: Array<string> = []
  let help = false
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!
    const equals = word.startsWith("-") ? word.indexOf("=") : -1
    const flag = equals > 0 ? word.slice(0, equals) : word
    const inline = equals > 0 ? word.slice(equals + 1) : undefined
    const takeValue = (): string | undefined => {
      if (inline !== undefined) return inline
      const next = args[i + 1]
      if (next === undefined || next.startsWith("--")) return undefined
      i += 1
      return next
    }
    const parameter = byFlag.get(flag)
    if (helpFlags.includes(flag)) {
      if (inline !== undefined) problems.push(`${flag} takes no value`)
      help = true
    } else if (!word.startsWith("-")) {
      problems.push(`unexpected argument ${JSON.stringify(word)}: ${command} takes only flags`)
    } else if (parameter === undefined) {
      problems.push(unknownFlag(flag, knownFlags))
      // What follows an unknown flag is probably its value, not a problem of its own.
      takeValue()
    } else {
      const value = takeValue()
      const earlier = given.get(parameter)
      if (value === undefined) {
        problems.push(`${flag} is missing its value: ${flag} ${parameter.placeholder} or ${flag}=${parameter.placeholder}`)
      } else if (earlier !== undefined) {
        problems.push(`${flag} is given twice (${JSON.stringify(earlier)} and ${JSON.stringify(value)}): give it once`)
      } else {
        given.set(parameter, value)
      }
    }
  }
  return { given, help, problems }
}
