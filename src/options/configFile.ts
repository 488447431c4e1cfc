import { readFileSync } from "node:fs"
import { Either } from "effect"
import { closestFlags } from "./closestFlags.js"
import type { NodeParameter } from "./nodeParameters.js"

/** The settings a config file gives, by parameter, and the file's path for messages about them. */
export interface ConfigFile {
  readonly path: string
  readonly values: ReadonlyMap<NodeParameter, string>
}

/** The largest config file read: settings, not data. */
const maxConfigBytes = 64 * 1024

/**
 * Reads a JSON config file: one object whose keys are flags without their
 * dashes (`"id"`, `"peers"`, `"client-port"`, `"heartbeat-ms"`), each a
 * string or a number. Every problem is named with the file: one that cannot
 * be read, is not such an object, a key that is no setting (with the one it
 * probably meant), a value of another kind.
 */
export const readConfigFile = (
  path: string,
  known: ReadonlyArray<NodeParameter>
): Either.Either<ConfigFile, ReadonlyArray<string>> => {
  let text: string
  try {
    const bytes = readFileSync(path)
    if (bytes.length > maxConfigBytes) return Either.left([`config file ${path}: ${bytes.length} bytes; at most ${maxConfigBytes}`])
    text = bytes.toString("utf8")
  } catch (error) {
    return Either.left([`config file ${path} cannot be read: ${(error as Error).message}`])
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    return Either.left([`config file ${path} is not JSON: ${(error as Error).message}`])
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return Either.left([`config file ${path}: expected a JSON object of settings, like {"id": "n0", "client-port": 7001}`])
  }
  const byKey = new Map(known.map((parameter) => [parameter.flag.slice(2), parameter]))
  const problems: Array<string> = []
  const values = new Map<NodeParameter, string>()
  for (const [key, value] of Object.entries(parsed)) {
    const parameter = byKey.get(key)
    if (parameter === undefined) {
      const closest = closestFlags(`--${key}`, known.map(({ flag }) => flag)).map((flag) => JSON.stringify(flag.slice(2)))
      problems.push(
        `config file ${path}: unknown setting ${JSON.stringify(key)}${closest.length > 0 ? ` (did you mean ${closest.join(" or ")}?)` : ""}`
      )
    } else if (typeof value === "string" || typeof value === "number") {
      values.set(parameter, String(value))
    } else {
      problems.push(`config file ${path}: ${JSON.stringify(key)} is ${JSON.stringify(value)}; expected a string or a number`)
    }
  }
  return problems.length > 0 ? Either.left(problems) : Either.right({ path, values })
}
