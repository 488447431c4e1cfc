import { expect } from "@effect/vitest"
import { Clock, Effect, Layer, Queue, TestClock } from "effect"
import { KvStateMachine } from "../../layers/KvStateMachine.js"
import { emptyMemoryLogStorage, makeMemoryLog, type MemoryLogStorage } from "../../layers/MemoryLog.js"
import { makeNetworkCore } from "../../src/network/networkCore.js"
import { Log, type LogShape } from "../../services/Log.js"
import { Network } from "../../services/Network.js"
import { defaultRaftConfig, RaftConfig } from "../../services/RaftConfig.js"
import { RaftObserver, type Role } from "../../services/RaftObserver.js"
import type { Body, Envelope } from "../../services/Network.js"
import { runKvNode } from "../../src/kv/KvNode.js"

/**
 * One real Raft node, n1 of n1..n3, whose peers are played by the test: every
 * message n1 sends lands in `outbox` with the (TestClock) time it was sent,
 * and the test delivers whatever n2, n3 or a client would send. `storage`
 * is what the node finds on disk when it starts; `openLog` may wrap the Log
 * over it (to make it fail). `node` is the node's fiber. A test may make n1
 * alone in its cluster, or give it another state machine (a slow one, say).
 */
export const startScriptedNode = (
  storage: MemoryLogStorage = emptyMemoryLogStorage(),
  openLog: (log: LogShape) => LogShape = (log) => log,
  { nodeIds = ["n1", "n2", "n3"], peersAnswerLogTip = true, stateMachine = KvStateMachine }: {
    readonly nodeIds?: ReadonlyArray<string>
    /** The peers say at once that their logs are empty (a new cluster), unseen by the test; false: the test answers log_tip. */
    readonly peersAnswerLogTip?: boolean
    readonly stateMachine?: typeof KvStateMachine
  } = {}
) =>
  Effect.gen(function*() {
    const outbox = yield* Queue.unbounded<{ readonly atMs: number; readonly envelope: Envelope }>()
    // Log_tip questions the peers answer themselves, once the send has returned (the RPC waits for its answer from then on).
    const logTipAsked = yield* Queue.unbounded<Envelope>()
    const core = yield* makeNetworkCore({
      self: "n1",
      nodeIds,
      transmit: (envelope) =>
        peersAnswerLogTip && envelope.body.type === "log_tip"
          ? Queue.offer(logTipAsked, envelope)
          : Effect.flatMap(Clock.currentTimeMillis, (atMs) => Queue.offer(outbox, { atMs, envelope }))
    })
    yield* Effect.forkScoped(Effect.forever(Effect.flatMap(Queue.take(logTipAsked), (asked) =>
      core.deliver({
        src: asked.dest,
        dest: "n1",
        body: { type: "log_tip_result", in_reply_to: asked.body.msg_id, last_index: 0, last_term: 0, term: 0 }
      }))))
    const roles: Array<{ readonly term: number; readonly role: Role }> = []
    const services = Layer.mergeAll(
      Layer.succeed(Network, core.network),
      Layer.sync(Log, () => openLog(makeMemoryLog(storage))),
      stateMachine,
      Layer.succeed(RaftObserver, {
        roleChanged: ({ role, term }) => Effect.sync(() => void roles.push({ term, role })),
        committed: () => Effect.void,
        applied: () => Effect.void,
        restored: () => Effect.void
      }),
      Layer.succeed(RaftConfig, defaultRaftConfig)
    )
    const node = yield* Effect.forkScoped(Effect.provide(runKvNode, services))

    /** Everything n1 has sent so far. */
    const sent = Effect.map(Queue.takeAll(outbox), (chunk) => [...chunk])
    const deliver = (src: string, body: Body) => core.deliver({ src, dest: "n1", body })
    return { sent, deliver, roles, storage, config: defaultRaftConfig, node }
  })

export type Sent = { readonly atMs: number; readonly envelope: Envelope }

export const ofType = (messages: ReadonlyArray<Sent>, type: string) => messages.filter((m) => m.envelope.body.type === type)

/** Advances the TestClock in small steps so fibers run between them. */
export const advance = (ms: number, stepMs = 10) =>
  Effect.gen(function*() {
    for (let t = 0; t < ms; t += stepMs) yield* TestClock.adjust(stepMs)
  })

/** Plays n2 and n3 granting every (pre)vote n1 asks for, until n1 leads. */
export const electN1 = (node: Effect.Effect.Success<ReturnType<typeof startScriptedNode>>) =>
  Effect.gen(function*() {
    for (let i = 0; i < 200 && node.roles.at(-1)?.role !== "leader"; i++) {
      yield* advance(10)
      for (const { envelope } of ofType(yield* node.sent, "request_vote")) {
        yield* node.deliver(envelope.dest, {
          type: "request_vote_result",
          in_reply_to: envelope.body.msg_id,
          term: envelope.body["term"] as number,
          vote_granted: true
        })
      }
    }
    expect(node.roles.at(-1)?.role).toBe("leader")
  })

/** Keeps everything n1 sends (reading `sent` takes messages out) and lets the test play n2 acknowledging. */
export const observe = (node: Effect.Effect.Success<ReturnType<typeof startScriptedNode>>) => {
  const seen: Array<Sent> = []
  let acked = 0
  const drain = Effect.map(node.sent, (sent) => void seen.push(...sent))
  /** n2 acknowledges every AppendEntries it has been sent since the last call. */
  const n2AcknowledgesAll = Effect.gen(function*() {
    yield* drain
    for (const { envelope } of seen.slice(acked)) {
      if (envelope.dest !== "n2" || envelope.body.type !== "append_entries") continue
      const body = envelope.body as Record<string, any>
      yield* node.deliver("n2", {
        type: "append_entries_result",
        in_reply_to: body.msg_id,
        term: body.term,
        success: true,
        match_index: body.prev_log_index + body.entries.length
      })
    }
    acked = seen.length
  })
  const repliesTo = (client: string) => Effect.map(drain, () => seen.filter((m) => m.envelope.dest === client).map((m) => m.envelope.body))
  /** Elects n1, then lets its no-op commit (past the RPC timeout of what the election took out). */
  const leadWithNoopCommitted = Effect.gen(function*() {
    yield* electN1(node)
    for (let i = 0; i < 10; i++) {
      yield* advance(100)
      yield* n2AcknowledgesAll
    }
    yield* advance(10)
  })
  return { n2AcknowledgesAll, repliesTo, leadWithNoopCommitted }
}
