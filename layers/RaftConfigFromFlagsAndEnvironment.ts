import { Config, ConfigProvider, Effect, Layer } from "effect"
import { defaultRaftConfig, RaftConfig, type RaftConfigShape } from "../services/RaftConfig.js"

/** Each parameter: its environment variable and its command-line flag. */
const parameters: ReadonlyArray<readonly [keyof RaftConfigShape, string, string]> = [
  ["heartbeatMs", "RAFT_HEARTBEAT_MS", "--heartbeat-ms"],
  ["electionTimeoutMinMs", "RAFT_ELECTION_TIMEOUT_MIN_MS", "--election-timeout-min-ms"],
  ["electionTimeoutMaxMs", "RAFT_ELECTION_TIMEOUT_MAX_MS", "--election-timeout-max-ms"],
  ["rpcTimeoutMs", "RAFT_RPC_TIMEOUT_MS", "--rpc-timeout-ms"],
  ["requestTimeoutMs", "RAFT_REQUEST_TIMEOUT_MS", "--request-timeout-ms"],
  ["maxEntriesPerMessage", "RAFT_MAX_ENTRIES_PER_MESSAGE", "--max-entries-per-message"],
  ["maxInflightPerPeer", "RAFT_MAX_INFLIGHT_PER_PEER", "--max-inflight-per-peer"],
  ["snapshotEvery", "RAFT_SNAPSHOT_EVERY", "--snapshot-every"],
  ["snapshotBytes", "RAFT_SNAPSHOT_BYTES", "--snapshot-bytes"],
  ["snapshotChunkChars", "RAFT_SNAPSHOT_CHUNK_CHARS", "--snapshot-chunk-chars"]
]

/** Where a durable log is kept; without it the log lives in memory only. */
export const dataDirectory = Config.option(Config.string("RAFT_DATA_DIR"))

/** `--heartbeat-ms 75` and `--heartbeat-ms=75` become RAFT_HEARTBEAT_MS=75. */
const flagsAsVariables = (args: ReadonlyArray<string>): Map<string, string> => {
  const byFlag = new Map([
    ...parameters.map(([, variable, flag]) => [flag, variable] as const),
    ["--data-dir", "RAFT_DATA_DIR"] as const
  ])
  const found = new Map<string, string>()
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i]!.split("=", 2) as [string, string | undefined]
    const variable = byFlag.get(flag)
    if (variable === undefined) continue
    const value = inline ?? args[++i]
    if (value !== undefined) found.set(variable, value)
  }
  return found
}

const positive = (name: string) =>
  Config.integer(name).pipe(Config.validate({ message: "must be a positive integer", validation: (n) => n > 0 }))

const raftConfig: Config.Config<RaftConfigShape> = Config.all(
  Object.fromEntries(
    parameters.map(([key, variable]) => [key, positive(variable).pipe(Config.withDefault(defaultRaftConfig[key]))])
  ) as { [K in keyof RaftConfigShape]: Config.Config<number> }
).pipe(
  Config.validate({
    message: "the election timeout minimum must not exceed its maximum",
    validation: (c) => c.electionTimeoutMinMs <= c.electionTimeoutMaxMs
  })
)

/** The node's settings: command-line flags first, then the environment. */
export const nodeConfigProvider = (args: ReadonlyArray<string>): ConfigProvider.ConfigProvider =>
  ConfigProvider.fromMap(flagsAsVariables(args)).pipe(ConfigProvider.orElse(() => ConfigProvider.fromEnv()))

/**
 * Raft's parameters from command-line flags, then the environment, then the
 * defaults; a bad value stops the node with a message naming it.
 */
export const RaftConfigFromFlagsAndEnvironment = (args: ReadonlyArray<string>) =>
  Layer.effect(RaftConfig, Effect.withConfigProvider(raftConfig, nodeConfigProvider(args)))
