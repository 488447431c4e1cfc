import type { NodeParameter } from "./nodeParameters.js"
import { parameters } from "./nodeParameters.js"

/**
 * The settings only `bin/raft serve` has: who this node is, where every
 * member listens for its peers, and the port of its HTTP client API. Like
 * the node's own settings, each has a flag and an environment variable.
 */
export const idParameter: NodeParameter = {
  flag: "--id",
  variable: "RAFT_ID",
  placeholder: "ID",
  shownDefault: "none (required)",
  meaning: "this node's id: one of the ids --peers names"
}

export const peersParameter: NodeParameter = {
  flag: "--peers",
  variable: "RAFT_PEERS",
  placeholder: "ID=HOST:PORT,...",
  shownDefault: "none (required)",
  meaning: "every member of the cluster, this node included, with the address it takes peer traffic on (TCP, one JSON " +
    "message a line); this node listens on its own. Every node must be given the same members (the addresses may differ, as through a proxy)"
}

export const clientPortParameter: NodeParameter = {
  flag: "--client-port",
  variable: "RAFT_CLIENT_PORT",
  placeholder: "PORT",
  shownDefault: "none (required)",
  meaning: "the port of the HTTP client API (GET/PUT /kv/KEY, POST /kv/KEY/cas, GET /members, GET /status, ...), on this " +
    "node's host in --peers"
}

export const configParameter: NodeParameter = {
  flag: "--config",
  variable: "RAFT_CONFIG",
  placeholder: "FILE",
  shownDefault: "none",
  meaning: "a JSON object of any of these settings by flag name without its dashes, a string or a number each " +
    "({\"id\": \"n0\", \"peers\": \"n0=10.0.0.1:7101,...\", \"client-port\": 7001, \"heartbeat-ms\": 50}); a flag or a " +
    "variable wins over it"
}

/** The settings `bin/raft serve` reads: the node's own, then its addresses, then the file that may hold them. */
export const serveParameters: ReadonlyArray<NodeParameter> = [
  ...parameters,
  idParameter,
  peersParameter,
  clientPortParameter,
  configParameter
]
