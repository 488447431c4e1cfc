import * as Net from "node:net"
import * as NodeStream from "@effect/platform-node/NodeStream"
import { Data, Duration, Effect, FiberSet, type Scope, Stream } from "effect"
import { splitBoundedLines } from "../src/protocol/boundedLines.js"
import { type IncomingLine, readIncomingLine } from "../src/protocol/incomingLine.js"
import { maxLineBytes } from "../src/protocol/wireLimits.js"

/** The node cannot take its peers' connections: the address is in use, or not this host's. */
export class PeerPortUnavailable extends Data.TaggedError("PeerPortUnavailable")<{
  readonly host: string
  readonly port: number
  readonly reason: string
}> {
  override get message(): string {
    return `cannot listen for peers on ${this.host}:${this.port}: ${this.reason}`
  }
}

/** Why one peer connection ended early. */
class ConnectionEnded extends Data.TaggedError("ConnectionEnded")<{ readonly reason: string }> {}

export interface PeerListenerOptions {
  readonly host: string
  readonly port: number
  /** A connection that carries nothing, not even the sender's empty keepalive lines, for this long is taken for dead and closed. */
  readonly idleMs: number
  /** The most connections held at once; more are refused by the system. */
  readonly maxConnections: number
  /** The longest line read (the wire's limit unless given). */
  readonly maxLineBytes?: number
  /** Handles each line that arrives, in order per connection; `from` is the connection's remote address. */
  readonly onLine: (line: IncomingLine, from: string) => Effect.Effect<void>
}

/**
 * Takes peers' connections on `host:port` for as long as the scope lasts:
 * each is read as newline-delimited JSON messages with the wire's limits
 * (a line longer than maxLineBytes is counted and skipped unread, one nested
 * too deep refused before it is decoded), the lines of a message split over
 * many reads joined again. No line ends a connection; an error, the peer
 * closing, or silence beyond `idleMs` (a half-open connection) ends only that
 * one, and is logged.
 */
export const listenForPeers = (options: PeerListenerOptions): Effect.Effect<void, PeerPortUnavailable, Scope.Scope> =>
  Effect.gen(function*() {
    const run = yield* FiberSet.makeRuntime<never>()
    const open = new Set<Net.Socket>()

    const serveConnection = (socket: Net.Socket) => {
      const from = `${socket.remoteAddress}:${socket.remotePort}`
      return NodeStream.fromReadable<ConnectionEnded>(
        () => socket,
        (error) => new ConnectionEnded({ reason: error instanceof Error ? error.message : String(error) })
      ).pipe(
        Stream.timeoutFail(
          () => new ConnectionEnded({ reason: `nothing arrived for ${options.idleMs} ms (half-open?); closed` }),
          Duration.millis(options.idleMs)
        ),
        splitBoundedLines(options.maxLineBytes ?? maxLineBytes),
        Stream.runForEach((line) =>
          Effect.catchAllDefect(
            options.onLine(readIncomingLine(line), from),
            (defect) => Effect.logError(`a line from ${from} could not be handled; skipped`, defect)
          )
        ),
        Effect.zipRight(Effect.logDebug(`peer connection from ${from} closed`)),
        Effect.catchAll((ended) => Effect.logWarning(`peer connection from ${from} ended: ${ended.reason}`)),
        Effect.ensuring(Effect.sync(() => {
          socket.destroy()
          open.delete(socket)
        }))
      )
    }

    const server = yield* Effect.acquireRelease(
      Effect.async<Net.Server, PeerPortUnavailable>((resume) => {
        const server = Net.createServer({ noDelay: true, keepAlive: true })
        server.maxConnections = options.maxConnections
        server.once("error", (error) =>
          resume(Effect.fail(new PeerPortUnavailable({ host: options.host, port: options.port, reason: error.message }))))
        server.listen(options.port, options.host, () => resume(Effect.succeed(server)))
      }),
      (server) =>
        Effect.async<void>((resume) => {
          for (const socket of open) socket.destroy()
          server.close(() => resume(Effect.void))
        })
    )
    server.on("error", (error) => run(Effect.logError(`the peer listener on ${options.host}:${options.port} failed: ${error.message}`)))
    server.on("connection", (socket) => {
      open.add(socket)
      run(serveConnection(socket))
    })
  })
