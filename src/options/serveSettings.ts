import { Either } from "effect"
import type { NodeId } from "../protocol/envelope.js"
import type { ConfigFile } from "./configFile.js"
import type { NodeParameter } from "./nodeParameters.js"
import { type PeerAddress, parsePeerAddresses, tcpPort } from "./peerAddresses.js"
import { clientPortParameter, idParameter, peersParameter } from "./serveParameters.js"

/** Where a served node is reached: its id, every member's peer address (its own among them) and its HTTP port. */
export interface ServeSettings {
  readonly self: NodeId
  readonly peers: ReadonlyArray<PeerAddress>
  readonly clientPort: number
}

/**
 * The serve mode's own settings, each from its flag, else its environment
 * variable, else the config file; all three are required. Every problem names the flag or the
 * variable, the value and what is expected.
 */
export const resolveServeSettings = (
  given: ReadonlyMap<NodeParameter, string>,
  environment: ReadonlyMap<string, string>,
  file?: ConfigFile
): Either.Either<ServeSettings, ReadonlyArray<string>> => {
  const problems: Array<string> = []
  const found = (parameter: NodeParameter) => {
    const flagValue = given.get(parameter)
    if (flagValue !== undefined) return { text: flagValue, name: `${parameter.flag} ${JSON.stringify(flagValue)}` }
    const variableValue = environment.get(parameter.variable)
    if (variableValue !== undefined) return { text: variableValue, name: `${parameter.variable}=${JSON.stringify(variableValue)}` }
    const fileValue = file?.values.get(parameter)
    if (fileValue !== undefined)
      return { text: fileValue, name: `"${parameter.flag.slice(2)}": ${JSON.stringify(fileValue)} in ${file?.path}` }
    problems.push(`${parameter.flag} ${parameter.placeholder} (or ${parameter.variable}, or --config) is required by bin/raft serve`)
    return undefined
  }

  const id = found(idParameter)
  const peersText = found(peersParameter)
  const clientPortText = found(clientPortParameter)

  let peers: ReadonlyArray<PeerAddress> | undefined
  if (peersText !== undefined) {
    const parsed = parsePeerAddresses(peersText.text)
    if (Either.isLeft(parsed)) problems.push(...parsed.left.map((problem) => `${peersText.name}: ${problem}`))
    else peers = parsed.right
  }
  const self = peers !== undefined && id !== undefined ? peers.find((peer) => peer.id === id.text) : undefined
  if (peers !== undefined && id !== undefined && self === undefined) {
    problems.push(`${id.name} is not one of the members --peers names (${peers.map((peer) => peer.id).join(", ")})`)
  }
  const clientPort = clientPortText === undefined ? undefined : tcpPort(clientPortText.text)
  if (clientPortText !== undefined && clientPort === undefined) {
    problems.push(`${clientPortText.name}: expected a port number from 1 to 65535`)
  }
  if (self !== undefined && clientPort === self.port) {
    problems.push(`${clientPortText?.name} is ${self.id}'s peer port in --peers too: the two need ports of their own`)
  }

  return problems.length > 0 || self === undefined || peers === undefined || clientPort === undefined
    ? Either.left(problems)
    : Either.right({ self: self.id, peers, clientPort })
}
