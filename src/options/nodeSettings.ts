import { Either, Option } from "effect"
import type { ConfigFile } from "./configFile.js"
import { defaultRaftConfig, type RaftConfigShape, type ReadMode, readModes } from "../../services/RaftConfig.js"
import { defaultQuotaBytes } from "../kv/KvQuota.js"
import {
  dataDirParameter,
  type NodeParameter,
  type NumericRaftKey,
  quotaParameter,
  raftParameters,
  readModeParameter
} from "./nodeParameters.js"

/** What a node runs with: where its log lives (none: in memory), the store's quota and Raft's parameters. */
export interface NodeSettings {
  readonly dataDir: Option.Option<string>
  readonly quotaBytes: number
  readonly raft: RaftConfigShape
}

/** Where a setting's value came from, so that a message names what the user wrote. */
type Source = "flag" | "variable" | "file" | "default"

const nameOf = (parameter: NodeParameter, source: Source, value: string, file?: ConfigFile): string =>
  source === "flag"
    ? `${parameter.flag} ${value}`
    : source === "variable"
    ? `${parameter.variable}=${value}`
    : source === "file"
    ? `"${parameter.flag.slice(2)}": ${value} in ${file?.path}`
    : `${parameter.flag} ${value} (its default)`

const positiveInteger = (text: string): number | undefined => {
  const value = /^[0-9]+$/.test(text) ? Number(text) : Number.NaN
  return Number.isSafeInteger(value) && value > 0 ? value : undefined
}

/**
 * Each setting from its flag, else its environment variable, else the
 * config file (serve mode only), else its default; every value that cannot
 * be used is a problem naming its flag, variable or file, the value and
 * what is expected.
 */
export const resolveNodeSettings = (
  given: ReadonlyMap<NodeParameter, string>,
  environment: ReadonlyMap<string, string>,
  file?: ConfigFile
): Either.Either<NodeSettings, ReadonlyArray<string>> => {
  const problems: Array<string> = []
  const found = (parameter: NodeParameter): { readonly text: string; readonly source: Source } | undefined => {
    const flagValue = given.get(parameter)
    if (flagValue !== undefined) return { text: flagValue, source: "flag" }
    const variableValue = environment.get(parameter.variable)
    if (variableValue !== undefined) return { text: variableValue, source: "variable" }
    const fileValue = file?.values.get(parameter)
    return fileValue === undefined ? undefined : { text: fileValue, source: "file" }
  }
  const named = (parameter: NodeParameter, source: Source, value: string) => nameOf(parameter, source, value, file)

  const raft: { -readonly [K in keyof RaftConfigShape]: RaftConfigShape[K] } = { ...defaultRaftConfig }
  // Each value as the user gave it (or as its default), for a message that compares two of them.
  const described = new Map<NumericRaftKey, string>()
  for (const parameter of raftParameters) {
    const setting = found(parameter)
    if (setting === undefined) {
      described.set(parameter.key, named(parameter, "default", String(raft[parameter.key])))
      continue
    }
    const value = positiveInteger(setting.text)
    if (value === undefined) {
      problems.push(`${named(parameter, setting.source, JSON.stringify(setting.text))}: expected a positive integer`)
      continue
    }
    raft[parameter.key] = value
    described.set(parameter.key, named(parameter, setting.source, String(value)))
  }
  const bothValid = described.has("electionTimeoutMinMs") && described.has("electionTimeoutMaxMs")
  if (bothValid && raft.electionTimeoutMinMs > raft.electionTimeoutMaxMs) {
    problems.push(
      `${described.get("electionTimeoutMinMs")} is above ${described.get("electionTimeoutMaxMs")}: ` +
        "the election timeout's minimum must not exceed its maximum"
    )
  }

  const readMode = found(readModeParameter)
  if (readMode !== undefined) {
    if (readModes.includes(readMode.text as ReadMode)) raft.readMode = readMode.text as ReadMode
    else {
      problems.push(
        `${named(readModeParameter, readMode.source, JSON.stringify(readMode.text))}: expected ${readModes.join(" or ")}`
      )
    }
  }

  let quotaBytes = defaultQuotaBytes
  const quota = found(quotaParameter)
  if (quota !== undefined) {
    const value = positiveInteger(quota.text)
    if (value === undefined)
      problems.push(`${named(quotaParameter, quota.source, JSON.stringify(quota.text))}: expected a positive integer`)
    else quotaBytes = value
  }

  const dataDir = found(dataDirParameter)
  if (dataDir?.text === "") problems.push(`${named(dataDirParameter, dataDir.source, "\"\"")}: expected a directory`)

  return problems.length > 0
    ? Either.left(problems)
    : Either.right({ dataDir: Option.map(Option.fromNullable(dataDir), ({ text }) => text), quotaBytes, raft })
}
