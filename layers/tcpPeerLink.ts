import * as Net from "node:net"
import { Data, Deferred, Duration, Effect, Exit, Option, Queue, Random, type Scope } from "effect"
import type { PeerAddress } from "../src/options/peerAddresses.js"

/** A connection to a peer could not be opened, or broke: why, in the words of the system. */
class LinkBroken extends Data.TaggedError("LinkBroken")<{ readonly reason: string }> {}

/** How a peer link behaves; the defaults suit loopback and a LAN. */
export interface PeerLinkOptions {
  /** The most messages waiting for a peer; past it the oldest waiting is dropped. */
  readonly capacity: number
  /** An idle connection carries an empty line this often, so the peer can tell it from a dead one. */
  readonly keepaliveMs: number
  /** A write not taken by the system within this long means the peer stopped reading: the connection is dropped. */
  readonly stallMs: number
  /** How long one attempt to connect may take. */
  readonly connectTimeoutMs: number
  /** The first and the longest pause between attempts to reconnect; each failure doubles it, with jitter. */
  readonly minBackoffMs: number
  readonly maxBackoffMs: number
}

export const defaultPeerLinkOptions: PeerLinkOptions = {
  capacity: 1024,
  keepaliveMs: 1000,
  stallMs: 5000,
  connectTimeoutMs: 2000,
  minBackoffMs: 50,
  maxBackoffMs: 1000
}

/** The most messages written in one go. */
const maxBatch = 256

const describeError = (error: unknown): string => error instanceof Error ? error.message : String(error)

/** An open connection, closed with the scope; `ended` completes with why, when it breaks. */
const connect = (peer: PeerAddress, timeoutMs: number) =>
  Effect.gen(function*() {
    // Not an acquireRelease: its acquisition cannot be interrupted, and the timeout must cut short a connect
    // to a host that never answers (the system would try for minutes).
    const socket = yield* Effect.uninterruptibleMask((restore) =>
      restore(
        Effect.async<Net.Socket, LinkBroken>((resume) => {
          const socket = Net.createConnection({ host: peer.host, port: peer.port, noDelay: true, keepAlive: true })
          // Always heard, so that an error before the connection's own listeners are on cannot crash the process:
          // the "close" that follows every error ends the connection then.
          socket.on("error", () => {})
          const failed = (error: Error) => resume(Effect.fail(new LinkBroken({ reason: error.message })))
          socket.once("error", failed)
          socket.once("connect", () => {
            socket.off("error", failed)
            resume(Effect.succeed(socket))
          })
          return Effect.sync(() => socket.destroy())
        }).pipe(Effect.timeoutFail({
          duration: Duration.millis(timeoutMs),
          onTimeout: () => new LinkBroken({ reason: `no connection within ${timeoutMs} ms` })
        }))
      ).pipe(Effect.tap((socket) => Effect.addFinalizer(() => Effect.sync(() => socket.destroy()))))
    )
    const ended = yield* Deferred.make<never, LinkBroken>()
    const end = (reason: string) => Deferred.unsafeDone(ended, Exit.fail(new LinkBroken({ reason })))
    socket.on("error", (error) => end(error.message))
    socket.on("end", () => end("the peer closed the connection"))
    socket.on("close", () => end("the connection closed"))
    // The peer sends nothing on this connection (its answers come on its own): read and drop, to see it end.
    socket.on("data", () => {})
    const write = (text: string) =>
      Effect.async<void, LinkBroken>((resume) => {
        socket.write(text, (error) => resume(error ? Effect.fail(new LinkBroken({ reason: describeError(error) })) : Effect.void))
      })
    return { ended: Deferred.await(ended), write }
  })

/** The messages for one peer, and the connection that carries them. */
export interface PeerLink {
  /** Queues one line (its newline included) for the peer; never waits. When the queue is full, the oldest line is dropped. */
  readonly send: (line: string) => Effect.Effect<void>
}

/**
 * One outgoing connection to one peer, kept open for as long as the scope
 * lasts: opened at once, reopened after a failure with a growing pause. What
 * is sent while it is down waits in a bounded queue; when that is full the
 * oldest message is dropped (Raft resends what matters, and a newer message
 * says more than an older one: a later heartbeat, a later AppendEntries), and
 * how many were dropped is logged every few seconds. A write the peer does
 * not take in `stallMs` (it stopped reading, or its host is gone) drops the
 * connection; an idle one carries empty lines, which the peer skips.
 */
export const makePeerLink = (
  peer: PeerAddress,
  options: PeerLinkOptions = defaultPeerLinkOptions
): Effect.Effect<PeerLink, never, Scope.Scope> =>
  Effect.gen(function*() {
    const queue = yield* Queue.sliding<string>(options.capacity)
    let dropped = 0
    const where = `${peer.id} at ${peer.host}:${peer.port}`

    const pump = (write: (text: string) => Effect.Effect<void, LinkBroken>) =>
      Effect.forever(
        Queue.takeBetween(queue, 1, maxBatch).pipe(
          Effect.timeout(Duration.millis(options.keepaliveMs)),
          Effect.option,
          Effect.flatMap((lines) =>
            write(Option.match(lines, { onNone: () => "\n", onSome: (taken) => Array.from(taken).join("") })).pipe(
              Effect.timeoutFail({
                duration: Duration.millis(options.stallMs),
                onTimeout: () => new LinkBroken({ reason: `${peer.id} took no data for ${options.stallMs} ms` })
              })
            )
          )
        )
      )

    let failures = 0
    // Once a connection has lasted this long, the peer is taken to be back: the pause before the next attempt starts over.
    const settledMs = Math.max(1000, options.maxBackoffMs)
    const settled = Effect.suspend(() => {
      const after = failures
      failures = 0
      return Effect.logInfo(after > 0 ? `connected to ${where} after ${after} failed attempts` : `connected to ${where}`)
    })

    // One connection, from opening to breaking. A peer that takes connections and drops them at once
    // (a proxy in front of a dead node, a listener at its limit) counts as failing, and gets the growing pause too.
    const session = Effect.scoped(Effect.gen(function*() {
      const connection = yield* connect(peer, options.connectTimeoutMs)
      yield* Effect.forkScoped(Effect.delay(settled, Duration.millis(settledMs)))
      return yield* Effect.raceFirst(connection.ended, pump(connection.write))
    }))

    const keepConnected = Effect.gen(function*() {
      while (true) {
        const broken = yield* Effect.flip(session)
        failures += 1
        // The first failure in a row is worth a warning; the rest, while the peer stays away, only clutter the log.
        const text = `connection to ${where}: ${broken.reason}; reconnecting`
        yield* failures === 1 ? Effect.logWarning(text) : Effect.logDebug(text)
        const ceiling = Math.min(options.maxBackoffMs, options.minBackoffMs * 2 ** Math.min(failures - 1, 20))
        yield* Effect.sleep(Duration.millis(ceiling / 2 + (yield* Random.nextIntBetween(0, Math.ceil(ceiling / 2) + 1))))
      }
    })

    const reportDrops = Effect.forever(Effect.zipRight(
      Effect.sleep(Duration.seconds(5)),
      Effect.suspend(() => {
        const count = dropped
        dropped = 0
        return count === 0 ? Effect.void : Effect.logWarning(
          `${count} messages to ${where} dropped in the last 5 s, the oldest first: its queue of ${options.capacity} was full`
        )
      })
    ))

    yield* Effect.forkScoped(keepConnected)
    yield* Effect.forkScoped(reportDrops)
    return {
      send: (line) =>
        Effect.flatMap(Queue.size(queue), (size) => {
          if (size >= options.capacity) dropped += 1
          return Queue.offer(queue, line)
        })
    }
  })
