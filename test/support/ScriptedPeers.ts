import { Clock, Effect, Layer, Queue } from "effect"
import { KvStateMachine } from "../../layers/KvStateMachine.js"
import { emptyMemoryLogStorage, makeMemoryLog, type MemoryLogStorage } from "../../layers/MemoryLog.js"
import { makeNetworkCore } from "../../src/network/networkCore.js"
import { Log, type LogShape } from "../../services/Log.js"
import { Network } from "../../services/Network.js"
import { defaultRaftConfig, RaftConfig } from "../../services/RaftConfig.js"
import { RaftObserver, type Role } from "../../services/RaftObserver.js"
import type { Body, Envelope } from "../../src/protocol/envelope.js"
import { runRaftNode } from "../../src/raft/RaftNode.js"

/**
 * One real Raft node, n1 of n1..n3, whose peers are played by the test: every
 * message n1 sends lands in `outbox` with the (TestClock) time it was sent,
 * and the test delivers whatever n2, n3 or a client would send. `storage`
 * is what the node finds on disk when it starts; `openLog` may wrap the Log
 * over it (to make it fail). `node` is the node's fiber.
 */
export const startScriptedNode = (
  storage: MemoryLogStorage = emptyMemoryLogStorage(),
  openLog: (log: LogShape) => LogShape = (log) => log
) => Effect.gen(function*() {
  const outbox = yield* Queue.unbounded<{ readonly atMs: number; readonly envelope: Envelope }>()
  const core = yield* makeNetworkCore({
    self: "n1",
    nodeIds: ["n1", "n2", "n3"],
    transmit: (envelope) => Effect.flatMap(Clock.currentTimeMillis, (atMs) => Queue.offer(outbox, { atMs, envelope }))
  })
  const roles: Array<{ readonly term: number; readonly role: Role }> = []
  const services = Layer.mergeAll(
    Layer.succeed(Network, core.network),
    Layer.sync(Log, () => openLog(makeMemoryLog(storage))),
    KvStateMachine,
    Layer.succeed(RaftObserver, {
      roleChanged: ({ role, term }) => Effect.sync(() => void roles.push({ term, role })),
      committed: () => Effect.void,
      applied: () => Effect.void,
      restored: () => Effect.void
    }),
    Layer.succeed(RaftConfig, defaultRaftConfig)
  )
  const node = yield* Effect.forkScoped(Effect.provide(runRaftNode, services))

  /** Everything n1 has sent so far. */
  const sent = Effect.map(Queue.takeAll(outbox), (chunk) => [...chunk])
  const deliver = (src: string, body: Body) => core.deliver({ src, dest: "n1", body })
  return { sent, deliver, roles, storage, config: defaultRaftConfig, node }
})
