import { Context, Deferred, Duration, Effect, Either, Layer } from "effect"
import { ClientGateway, GatewayTimeout } from "../services/ClientGateway.js"
import { type Body, Network } from "../services/Network.js"
import { NodeStartup } from "../services/NodeStartup.js"
import { encodeEnvelope, type Envelope, type NodeId } from "../src/protocol/envelope.js"
import { ErrorCode } from "../src/protocol/errorCodes.js"
import type { IncomingLine } from "../src/protocol/incomingLine.js"
import { errorReply } from "../src/protocol/kvMessages.js"
import { maxLineBytes } from "../src/protocol/wireLimits.js"
import { makeNetworkCore } from "../src/network/networkCore.js"
import type { ServeSettings } from "../src/options/serveSettings.js"
import { defaultPeerLinkOptions, makePeerLink, type PeerLink } from "./tcpPeerLink.js"
import { listenForPeers } from "./tcpPeerListener.js"

/** Local clients' ids: `http:1`, `http:2`, ...; no member can have one (a node id has no colon). */
const localClientPrefix = "http:"

/** Silence on a peer connection longer than this many keepalive intervals means it is dead. */
const idleKeepalives = 5

/**
 * The Network of a served node: peers over TCP, each message one line of
 * JSON (the same envelopes, schemas and limits as on stdin), one outgoing
 * connection to each peer (tcpPeerLink.ts) and a listener for theirs
 * (tcpPeerListener.ts); a message from anyone who is not a member is
 * dropped. Beside it, the ClientGateway by which the HTTP API hands in
 * clients' requests: each is a message from a local client of its own, and
 * the node's reply to that client answers it. Ready at once: the members
 * are known from the command line.
 */
export const TcpNetwork = (serve: ServeSettings) =>
  Layer.scopedContext(Effect.gen(function*() {
    const { self } = serve
    const nodeIds = serve.peers.map(({ id }) => id)
    const own = serve.peers.find(({ id }) => id === self)!
    const links = new Map<NodeId, PeerLink>()
    for (const peer of serve.peers) {
      if (peer.id !== self) links.set(peer.id, yield* makePeerLink(peer))
    }
    const waitingClients = new Map<NodeId, Deferred.Deferred<Body>>()
    let lastClient = 0

    const transmit = (envelope: Envelope): Effect.Effect<void> => {
      const { body, dest } = envelope
      const link = links.get(dest)
      if (link !== undefined) {
        const encoded = encodeEnvelope(envelope)
        return Either.isLeft(encoded)
          ? Effect.logError(`message ${body.type} to ${dest} dropped: it cannot be encoded: ${encoded.left.reason}`)
          : link.send(`${encoded.right}\n`)
      }
      const client = waitingClients.get(dest)
      if (client !== undefined) return Deferred.succeed(client, body)
      return dest.startsWith(localClientPrefix)
        ? Effect.logDebug(`${body.type} to ${dest} dropped: that client stopped waiting`)
        : Effect.logWarning(`${body.type} to ${dest} dropped: ${dest} is neither a member nor a waiting client`)
    }

    const core = yield* makeNetworkCore({ self, nodeIds, transmit })

    const onLine = (line: IncomingLine, from: string): Effect.Effect<void> => {
      switch (line._tag) {
        case "Message": {
          const { src } = line.envelope
          return links.has(src)
            ? core.deliver(line.envelope)
            : Effect.logWarning(`${line.envelope.body.type} from ${from} dropped: it claims to come from ${src}, not a member`)
        }
        case "Blank":
          return Effect.void
        case "TooLong":
          return Effect.logWarning(`a line of ${line.bytes} bytes from ${from} skipped unread (the limit is ${maxLineBytes} bytes)`)
        case "Malformed": {
          const warning = Effect.logWarning(`malformed message from ${from} skipped: ${line.problem}\n  line: ${line.text.slice(0, 500)}`)
          const address = line.address
          if (address === undefined || !links.has(address.src) || address.dest !== self) return warning
          return Effect.zipRight(
            warning,
            transmit({
              src: self,
              dest: address.src,
              body: { ...errorReply(ErrorCode.malformedRequest, line.problem), in_reply_to: address.msgId }
            })
          )
        }
      }
    }

    yield* listenForPeers({
      host: own.host,
      port: own.port,
      idleMs: idleKeepalives * defaultPeerLinkOptions.keepaliveMs,
      maxConnections: 4 * serve.peers.length + 16,
      onLine
    })

    const ask = (body: Body, timeoutMs: number) =>
      Effect.suspend(() => {
        const client = `${localClientPrefix}${++lastClient}`
        return Effect.gen(function*() {
          const answer = yield* Deferred.make<Body>()
          waitingClients.set(client, answer)
          yield* core.deliver({ src: client, dest: self, body: { ...body, msg_id: 1 } })
          return yield* Deferred.await(answer).pipe(
            Effect.timeoutFail({
              duration: Duration.millis(timeoutMs),
              onTimeout: () => new GatewayTimeout({ type: body.type, timeoutMs })
            }),
            Effect.map(({ in_reply_to: _inReplyTo, ...reply }) => reply as Body)
          )
        }).pipe(Effect.ensuring(Effect.sync(() => waitingClients.delete(client))))
      })

    return Context.make(Network, core.network).pipe(
      Context.add(ClientGateway, { ask }),
      Context.add(NodeStartup, {
        ready: Effect.logInfo(
          `${self} of ${nodeIds.join(",")} serving: peers on ${own.host}:${own.port}, clients on port ${serve.clientPort}`
        ),
        cannotStart: (reason) => Effect.logError(`${self} cannot start: ${reason}`)
      })
    )
  }))
