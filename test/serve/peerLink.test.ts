import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Queue, Scope } from "effect"
import { defaultPeerLinkOptions, makePeerLink } from "../../layers/tcpPeerLink.js"
import { listenForPeers } from "../../layers/tcpPeerListener.js"
import type { IncomingLine } from "../../src/protocol/incomingLine.js"
import { freePort as freePortNow } from "../support/servedCluster.js"

/** A loopback port nobody listens on now. */
const freePort = () => Effect.promise(freePortNow)

const line = (n: number) => `${JSON.stringify({ src: "n0", dest: "n1", body: { type: "ping", msg_id: n } })}\n`

/** The msg_ids of the next `count` messages that arrive (the link's empty keepalive lines skipped). */
const nextIds = (lines: Queue.Queue<IncomingLine>, count: number) =>
  Effect.gen(function*() {
    const ids: Array<number> = []
    while (ids.length < count) {
      const next = yield* Queue.take(lines)
      if (next._tag === "Message") ids.push(next.envelope.body.msg_id!)
    }
    return ids
  }).pipe(Effect.timeout("5 seconds"))

describe("a link to one peer over TCP", () => {
  it.scopedLive("keeps the newest messages while the peer is down, dropping the oldest, and reconnects when it comes back",
    () =>
      Effect.gen(function*() {
        const port = yield* freePort()
        const link = yield* makePeerLink({ id: "n1", host: "127.0.0.1", port }, {
          ...defaultPeerLinkOptions,
          capacity: 3,
          minBackoffMs: 10,
          maxBackoffMs: 40
        })
        for (let n = 1; n <= 5; n++) yield* link.send(line(n))
        const lines = yield* Queue.unbounded<IncomingLine>()
        const listen = Effect.flatMap(Scope.make(), (scope) =>
          Effect.as(
            Scope.extend(
              listenForPeers({ host: "127.0.0.1", port, idleMs: 10_000, maxConnections: 4, onLine: (l) => Queue.offer(lines, l) }),
              scope
            ),
            scope
          ))
        const first = yield* listen
        expect(yield* nextIds(lines, 3)).toEqual([3, 4, 5])
        // The peer goes away (its connections cut) and comes back on the same port.
        yield* Scope.close(first, Exit.void)
        yield* Effect.sleep("200 millis")
        yield* link.send(line(6))
        yield* Effect.sleep("100 millis")
        yield* listen
        expect(yield* nextIds(lines, 1)).toEqual([6])
      }), { timeout: 10_000 })
})
