import * as Net from "node:net"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Queue } from "effect"
import { listenForPeers } from "../../layers/tcpPeerListener.js"
import type { IncomingLine } from "../../src/protocol/incomingLine.js"
import { freePort as freePortNow } from "../support/servedCluster.js"

/** A loopback port nobody listens on now. */
const freePort = () => Effect.promise(freePortNow)

/** A client connection to the listener, closed with the scope. */
const connectTo = (port: number) =>
  Effect.acquireRelease(
    Effect.async<Net.Socket>((resume) => {
      const socket = Net.createConnection({ host: "127.0.0.1", port, noDelay: true }, () => resume(Effect.succeed(socket)))
      socket.on("error", () => {})
    }),
    (socket) => Effect.sync(() => socket.destroy())
  )

const write = (socket: Net.Socket, data: string | Uint8Array) =>
  Effect.async<void>((resume) => void socket.write(data, () => resume(Effect.void)))

/** A listener on a free port whose lines go to a queue, as (tag, text or size) pairs. */
const listening = (options: { readonly maxLineBytes?: number; readonly idleMs?: number } = {}) =>
  Effect.gen(function*() {
    const port = yield* freePort()
    const lines = yield* Queue.unbounded<IncomingLine>()
    yield* listenForPeers({
      host: "127.0.0.1",
      port,
      idleMs: options.idleMs ?? 10_000,
      maxConnections: 8,
      ...(options.maxLineBytes === undefined ? {} : { maxLineBytes: options.maxLineBytes }),
      onLine: (line) => Queue.offer(lines, line)
    })
    return { port, lines }
  })

const message = (n: number) => JSON.stringify({ src: "n1", dest: "n0", body: { type: "ping", msg_id: n, text: "é½✓" } })

describe("peer connections over TCP", () => {
  it.scopedLive("joins a message split over many reads, even inside a multi-byte character, and splits many in one read", () =>
    Effect.gen(function*() {
      const { lines, port } = yield* listening()
      const socket = yield* connectTo(port)
      const bytes = Buffer.from(`${message(1)}\n${message(2)}\n`)
      // One byte a write: every read sees at most one byte, the characters of "é½✓" cut in their middle.
      for (let i = 0; i < 60; i++) {
        yield* write(socket, bytes.subarray(i, i + 1))
        yield* Effect.sleep("1 millis")
      }
      yield* write(socket, Buffer.concat([bytes.subarray(60), Buffer.from(`${message(3)}\n\n${message(4)}\n`)]))
      const received = yield* Effect.forEach([1, 2, 3, 4, 5], () => Queue.take(lines))
      expect(received.map((line) => line._tag)).toEqual(["Message", "Message", "Message", "Blank", "Message"])
      expect(received.flatMap((line) => line._tag === "Message" ? [line.envelope.body.msg_id] : [])).toEqual([1, 2, 3, 4])
      expect(received[0]).toMatchObject({ envelope: { body: { text: "é½✓" } } })
    }))

  it.scopedLive("skips a line over the limit unread and garbage with a reason, and goes on reading the same connection", () =>
    Effect.gen(function*() {
      const { lines, port } = yield* listening({ maxLineBytes: 1000 })
      const socket = yield* connectTo(port)
      yield* write(socket, "x".repeat(5000))
      yield* write(socket, "y".repeat(5000) + "\n")
      yield* write(socket, "not json at all\n{\"src\":\"n1\"}\n" + "[".repeat(300) + "\n")
      yield* write(socket, `${message(7)}\n`)
      const received = yield* Effect.forEach([1, 2, 3, 4, 5], () => Queue.take(lines))
      expect(received[0]).toEqual({ _tag: "TooLong", bytes: 10000 })
      expect(received.slice(1, 4).map((line) => line._tag)).toEqual(["Malformed", "Malformed", "Malformed"])
      expect(received[3]).toMatchObject({ problem: "the message nests arrays and objects deeper than 128 levels" })
      expect(received[4]).toMatchObject({ _tag: "Message", envelope: { body: { msg_id: 7 } } })
    }))

  it.scopedLive("closes a connection that stays silent (half-open), and keeps taking new ones", () =>
    Effect.gen(function*() {
      const { lines, port } = yield* listening({ idleMs: 200 })
      const silent = yield* connectTo(port)
      const closed = yield* Effect.async<boolean>((resume) => {
        silent.on("close", () => resume(Effect.succeed(true)))
      }).pipe(Effect.timeout("3 seconds"))
      expect(closed).toBe(true)
      const socket = yield* connectTo(port)
      yield* write(socket, `${message(9)}\n`)
      expect(yield* Queue.take(lines)).toMatchObject({ _tag: "Message", envelope: { body: { msg_id: 9 } } })
    }), { timeout: 10_000 })
})
