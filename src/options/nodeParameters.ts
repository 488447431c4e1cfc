import { defaultRaftConfig, type RaftConfigShape } from "../../services/RaftConfig.js"
import { defaultQuotaBytes } from "../kv/KvQuota.js"
import { clockDriftBound } from "../raft/leaseRules.js"

/**
 * A setting of bin/raft: its command-line flag, its environment variable (the
 * flag wins), and what --help says of it. This table is the only list of the
 * node's settings: parsing, checking, --help and the start log all read it.
 */
export interface NodeParameter {
  readonly flag: string
  readonly variable: string
  /** The value's name in --help: `--heartbeat-ms MS`. */
  readonly placeholder: string
  /** The default as --help shows it. */
  readonly shownDefault: string
  readonly meaning: string
}

/** The Raft parameters that are numbers. */
export type NumericRaftKey = { [K in keyof RaftConfigShape]: RaftConfigShape[K] extends number ? K : never }[keyof RaftConfigShape]

/** One of Raft's parameters: a positive integer, by default its value in defaultRaftConfig. */
export interface RaftParameter extends NodeParameter {
  readonly key: NumericRaftKey
}

export const dataDirParameter: NodeParameter = {
  flag: "--data-dir",
  variable: "RAFT_DATA_DIR",
  placeholder: "DIR",
  shownDefault: "none",
  meaning: "keep the log and the term/vote in DIR/<node id>.log, fsynced before every reply that depends on them, " +
    "so a restarted node keeps what it acknowledged; without it the log lives in memory and dies with the process"
}

export const quotaParameter: NodeParameter = {
  flag: "--quota-bytes",
  variable: "RAFT_QUOTA_BYTES",
  placeholder: "BYTES",
  shownDefault: String(defaultQuotaBytes),
  meaning: "the most the key-value store may hold, as the JSON text of its keys and values: a write or cas that would grow it " +
    "past this gets error 14 (abort, definite) naming the quota; reads, and writes that do not grow it, are still served"
}

const raftParameter = (
  key: NumericRaftKey,
  flag: string,
  variable: string,
  placeholder: string,
  meaning: string
): RaftParameter => ({ key, flag, variable, placeholder, shownDefault: String(defaultRaftConfig[key]), meaning })

export const raftParameters: ReadonlyArray<RaftParameter> = [
  raftParameter("heartbeatMs", "--heartbeat-ms", "RAFT_HEARTBEAT_MS", "MS",
    "a leader sends an empty AppendEntries to an idle follower this often"),
  raftParameter(
    "electionTimeoutMinMs",
    "--election-timeout-min-ms",
    "RAFT_ELECTION_TIMEOUT_MIN_MS",
    "MS",
    "a follower that hears from no leader for a random time in [min, max] starts an election"
  ),
  raftParameter("electionTimeoutMaxMs", "--election-timeout-max-ms", "RAFT_ELECTION_TIMEOUT_MAX_MS", "MS",
    "the top of that range (not below the minimum)"),
  raftParameter("rpcTimeoutMs", "--rpc-timeout-ms", "RAFT_RPC_TIMEOUT_MS", "MS",
    "how long a node waits for the answer to a vote request or an AppendEntries"),
  raftParameter(
    "requestTimeoutMs",
    "--request-timeout-ms",
    "RAFT_REQUEST_TIMEOUT_MS",
    "MS",
    "a client request not committed (or a forwarded one not answered) within this gets error 0 (timeout)"
  ),
  raftParameter("maxEntriesPerMessage", "--max-entries-per-message", "RAFT_MAX_ENTRIES_PER_MESSAGE", "N",
    "the most entries one AppendEntries carries"),
  raftParameter("maxInflightPerPeer", "--max-inflight-per-peer", "RAFT_MAX_INFLIGHT_PER_PEER", "N",
    "the most AppendEntries in flight to one follower"),
  raftParameter(
    "snapshotEvery",
    "--snapshot-every",
    "RAFT_SNAPSHOT_EVERY",
    "N",
    "snapshot the state and compact the log once this many entries were applied since the last snapshot"
  ),
  raftParameter(
    "snapshotBytes",
    "--snapshot-bytes",
    "RAFT_SNAPSHOT_BYTES",
    "BYTES",
    "or once the entries applied since the last snapshot take this many bytes of log"
  ),
  raftParameter(
    "snapshotChunkChars",
    "--snapshot-chunk-chars",
    "RAFT_SNAPSHOT_CHUNK_CHARS",
    "CHARS",
    "a snapshot is cut into chunks of at most this many characters of JSON (a larger key/value pair makes a chunk " +
      "of its own): one record of the log file and one InstallSnapshot message each"
  )
]

export const readModeParameter: NodeParameter = {
  flag: "--read-mode",
  variable: "RAFT_READ_MODE",
  placeholder: "MODE",
  shownDefault: defaultRaftConfig.readMode,
  meaning: "how a leader confirms it still leads before it answers a read: index, one heartbeat round a majority answers " +
    "(ReadIndex); lease, none while a majority answered it within the lease (the shortest election timeout, less a bound " +
    `on clock drift), which assumes the nodes' clocks run within ${clockDriftBound * 100}% of real time and all nodes share ` +
    "--election-timeout-min-ms"
}

/** Every setting, in the order --help lists them. */
export const parameters: ReadonlyArray<NodeParameter> = [dataDirParameter, quotaParameter, ...raftParameters, readModeParameter]

/** The flags that ask for the usage text instead of a node run. */
export const helpFlags: ReadonlyArray<string> = ["--help", "-h"]
