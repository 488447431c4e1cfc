import { Either } from "effect"
import type { NodeId } from "../protocol/envelope.js"

/** Where a member takes its peers' traffic. */
export interface PeerAddress {
  readonly id: NodeId
  readonly host: string
  readonly port: number
}

/** A node id as an operator writes it: a letter or digit, then letters, digits, `_` or `-`. */
const nodeIdPattern = /^[A-Za-z0-9][A-Za-z0-9_-]*$/

/** A TCP port, 1 to 65535, or undefined. */
export const tcpPort = (text: string): number | undefined => {
  const value = /^[0-9]{1,5}$/.test(text) ? Number(text) : Number.NaN
  return value >= 1 && value <= 65535 ? value : undefined
}

/**
 * Reads `n0=127.0.0.1:7000,n1=127.0.0.1:7001,...` (an IPv6 host in brackets:
 * `n0=[::1]:7000`): every member once, each at its own address. Every
 * problem is named, with the entry it is in.
 */
export const parsePeerAddresses = (text: string): Either.Either<ReadonlyArray<PeerAddress>, ReadonlyArray<string>> => {
  const problems: Array<string> = []
  const peers: Array<PeerAddress> = []
  const entries = text.split(",").map((entry) => entry.trim())
  if (text.trim() === "") return Either.left(["expected ID=HOST:PORT for every member, separated by commas"])
  for (const entry of entries) {
    const match = /^([^=]*)=(\[[^\]]*\]|[^:]*):(.*)$/.exec(entry)
    if (match === null) {
      problems.push(`${JSON.stringify(entry)} is not ID=HOST:PORT`)
      continue
    }
    const [, id, bracketedHost, portText] = match as unknown as [string, string, string, string]
    const host = bracketedHost.replace(/^\[(.*)\]$/, "$1")
    const port = tcpPort(portText)
    if (!nodeIdPattern.test(id)) {
      problems.push(`${JSON.stringify(entry)}: the id ${JSON.stringify(id)} is not a letter or digit followed by letters, digits, _ or -`)
    } else if (host === "") {
      problems.push(`${JSON.stringify(entry)}: the host is empty`)
    } else if (port === undefined) {
      problems.push(`${JSON.stringify(entry)}: the port ${JSON.stringify(portText)} is not a number from 1 to 65535`)
    } else {
      const sameId = peers.find((peer) => peer.id === id)
      const sameAddress = peers.find((peer) => peer.host === host && peer.port === port)
      if (sameId !== undefined) problems.push(`${id} is named twice`)
      else if (sameAddress !== undefined) problems.push(`${id} and ${sameAddress.id} have the same address ${host}:${port}`)
      else peers.push({ id, host, port })
    }
  }
  return problems.length > 0 ? Either.left(problems) : Either.right(peers)
}
