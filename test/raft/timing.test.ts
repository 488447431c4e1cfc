import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { KvStateMachine } from "../../layers/KvStateMachine.js"
import { StateMachine } from "../../services/StateMachine.js"
import { type KvCommand, LinKvState } from "../../src/kv/LinKvState.js"
import type { Entry } from "../../services/Log.js"
import { advance, electN1, observe, ofType, startScriptedNode } from "../support/ScriptedPeers.js"

const heartbeatFrom = (term: number, leader = "n2") => ({
  type: "append_entries",
  msg_id: 1,
  term,
  leader_id: leader,
  prev_log_index: 0,
  prev_log_term: 0,
  entries: [],
  leader_commit: 0
})

describe("Raft timing (TestClock)", () => {
  it.scoped("a follower that hears nothing starts an election within [min, max] of its start", () =>
    Effect.gen(function*() {
      const node = yield* startScriptedNode()
      const { electionTimeoutMaxMs, electionTimeoutMinMs } = node.config
      yield* advance(electionTimeoutMinMs - 10)
      expect(ofType(yield* node.sent, "request_vote")).toEqual([])
      yield* advance(electionTimeoutMaxMs - electionTimeoutMinMs + 20)
      const votes = ofType(yield* node.sent, "request_vote")
      // It polls both peers with PreVote first, for the next term, without raising its own term.
      expect(votes.map((v) => v.envelope.dest).sort()).toEqual(["n2", "n3"])
      expect(votes.every((v) => v.envelope.body["pre_vote"] === true && v.envelope.body["term"] === 1)).toBe(true)
      expect(votes[0]!.atMs).toBeGreaterThanOrEqual(electionTimeoutMinMs)
      expect(votes[0]!.atMs).toBeLessThanOrEqual(electionTimeoutMaxMs)
      expect(node.storage.hardState.term).toBe(0)
    }))

  it.scoped("heartbeats from a leader keep a follower quiet", () =>
    Effect.gen(function*() {
      const node = yield* startScriptedNode()
      for (let t = 0; t < 5000; t += node.config.heartbeatMs) {
        yield* node.deliver("n2", heartbeatFrom(1))
        yield* advance(node.config.heartbeatMs)
      }
      const sent = yield* node.sent
      expect(ofType(sent, "request_vote")).toEqual([])
      expect(ofType(sent, "append_entries_result").every((m) => m.envelope.body["success"] === true)).toBe(true)
      expect(node.roles).toEqual([{ term: 1, role: "follower" }])
    }))

  it.scoped("told to take over (TimeoutNow), a follower campaigns at once even when a heartbeat of its leader comes right after", () =>
    Effect.gen(function*() {
      const node = yield* startScriptedNode()
      yield* node.deliver("n2", heartbeatFrom(1))
      yield* advance(node.config.heartbeatMs)
      // The leader goes on heartbeating while it hands over: both arrive before the node's timer runs.
      yield* node.deliver("n2", { type: "timeout_now", term: 1, leader_id: "n2" })
      yield* node.deliver("n2", heartbeatFrom(1))
      yield* advance(20)
      const votes = ofType(yield* node.sent, "request_vote")
      // A real vote for term 2 at once, no PreVote, saying it is a transfer so voters grant it inside their lease.
      expect(votes.map((v) => v.envelope.dest).sort()).toEqual(["n2", "n3"])
      expect(votes.every((v) => v.envelope.body["term"] === 2 && v.envelope.body["pre_vote"] !== true)).toBe(true)
      expect(votes.every((v) => v.envelope.body["transfer"] === true)).toBe(true)
    }))

  it.scoped("PreVote refused: a node that cannot win does not raise its term", () =>
    Effect.gen(function*() {
      const node = yield* startScriptedNode()
      for (let round = 0; round < 20; round++) {
        yield* advance(100)
        for (const { envelope } of ofType(yield* node.sent, "request_vote")) {
          yield* node.deliver(envelope.dest, {
            type: "request_vote_result",
            in_reply_to: envelope.body.msg_id,
            term: 0,
            vote_granted: false
          })
        }
      }
      expect(node.storage.hardState).toEqual({ term: 0, votedFor: null, caughtUp: true })
      expect(node.roles).toEqual([])
    }))

  it.scoped("a real vote for a higher term is refused while the leader was heard within the minimum election timeout", () =>
    Effect.gen(function*() {
      const node = yield* startScriptedNode()
      yield* node.deliver("n2", heartbeatFrom(3))
      yield* advance(50)
      // n3 won PreVote elsewhere across an asymmetric cut and now asks for a real vote in term 4.
      const vote = (msgId: number) => ({
        type: "request_vote",
        msg_id: msgId,
        term: 4,
        candidate_id: "n3",
        last_log_index: 0,
        last_log_term: 0,
        pre_vote: false
      })
      yield* node.deliver("n3", vote(7))
      yield* advance(10)
      expect(ofType(yield* node.sent, "request_vote_result").map((m) => m.envelope.body)).toEqual([
        { type: "request_vote_result", in_reply_to: 7, term: 3, vote_granted: false }
      ])
      expect(node.storage.hardState).toMatchObject({ term: 3, votedFor: null })
      // Once the leader has been silent for the minimum election timeout, the same request is granted.
      yield* advance(node.config.electionTimeoutMinMs)
      yield* node.deliver("n3", vote(8))
      yield* advance(10)
      expect(ofType(yield* node.sent, "request_vote_result").map((m) => m.envelope.body)).toContainEqual(
        { type: "request_vote_result", in_reply_to: 8, term: 4, vote_granted: true }
      )
    }))

  it.scoped("a campaign never overlaps the next: rounds start at least one RPC timeout apart when nobody answers", () =>
    Effect.gen(function*() {
      const node = yield* startScriptedNode()
      yield* advance(20_000, 20)
      const rounds = [...new Set(ofType(yield* node.sent, "request_vote").map((m) => m.atMs))]
      expect(rounds.length).toBeGreaterThan(10)
      const gaps = rounds.slice(1).map((at, i) => at - rounds[i]!)
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(node.config.rpcTimeoutMs)
    }))

  it.scoped("PreVote keeps a rejoining node from deposing a healthy leader", () =>
    Effect.gen(function*() {
      const node = yield* startScriptedNode()
      yield* node.deliver("n2", heartbeatFrom(3))
      yield* advance(50)
      // n3 returns from a partition and polls for term 9: n1 hears from its leader, so it says no...
      yield* node.deliver("n3", {
        type: "request_vote",
        msg_id: 7,
        term: 9,
        candidate_id: "n3",
        last_log_index: 0,
        last_log_term: 0,
        pre_vote: true
      })
      yield* advance(10)
      const answer = ofType(yield* node.sent, "request_vote_result")
      expect(answer.map((m) => m.envelope.body)).toEqual([
        { type: "request_vote_result", in_reply_to: 7, term: 3, vote_granted: false }
      ])
      // ...and keeps its term and leader.
      expect(node.storage.hardState.term).toBe(3)
    }))

  it.scoped("a leader cut off from the majority steps down, and its pending request times out indefinitely", () =>
    Effect.gen(function*() {
      const node = yield* startScriptedNode()
      yield* electN1(node)
      const electedAt = node.roles.length
      yield* node.deliver("c1", { type: "write", msg_id: 1, key: 1, value: 1 })
      // Nobody answers its AppendEntries from now on.
      yield* advance(2 * node.config.electionTimeoutMaxMs + 100)
      expect(node.roles.slice(electedAt)).toEqual([{ term: node.storage.hardState.term, role: "follower" }])
      yield* advance(node.config.requestTimeoutMs)
      const replies = (yield* node.sent).filter((m) => m.envelope.dest === "c1")
      // Not a definite error: the write might still commit under another leader.
      expect(replies.map((m) => m.envelope.body)).toMatchObject([{ type: "error", code: 0, in_reply_to: 1 }])
    }))

  it.scoped("a follower forwards to the leader it knows and relays the reply; no reply means an indefinite error", () =>
    Effect.gen(function*() {
      const node = yield* startScriptedNode()
      yield* node.deliver("n2", heartbeatFrom(1))
      yield* advance(10)
      yield* node.deliver("c1", { type: "write", msg_id: 1, key: 1, value: 1 })
      yield* advance(10)
      const forward = ofType(yield* node.sent, "forward")
      expect(forward.map((m) => m.envelope.dest)).toEqual(["n2"])
      expect(forward[0]!.envelope.body["request"]).toEqual({ type: "write", key: 1, value: 1 })
      yield* node.deliver("n2", { type: "write_ok", in_reply_to: forward[0]!.envelope.body.msg_id })
      yield* node.deliver("c1", { type: "write", msg_id: 2, key: 1, value: 2 })
      for (let t = 0; t < node.config.requestTimeoutMs + 100; t += 40) {
        yield* node.deliver("n2", heartbeatFrom(1))
        yield* advance(40)
      }
      const replies = (yield* node.sent).filter((m) => m.envelope.dest === "c1").map((m) => m.envelope.body)
      expect(replies).toMatchObject([{ type: "write_ok", in_reply_to: 1 }, { type: "error", code: 0, in_reply_to: 2 }])
    }))

  it.scoped("with no leader known, a request gets a definite error at once", () =>
    Effect.gen(function*() {
      const node = yield* startScriptedNode()
      yield* node.deliver("c1", { type: "read", msg_id: 1, key: 1 })
      yield* advance(10)
      const replies = (yield* node.sent).filter((m) => m.envelope.dest === "c1").map((m) => m.envelope.body)
      expect(replies).toMatchObject([{ type: "error", code: 11, in_reply_to: 1 }])
    }))

  it.scoped("a leader not heard from for an election timeout is not forwarded to: the request gets a definite error at once", () =>
    Effect.gen(function*() {
      const node = yield* startScriptedNode()
      yield* node.deliver("n2", heartbeatFrom(1))
      // n2 goes silent, and n3 with it: n1's PreVotes go unanswered, so it still follows n2 in term 1.
      yield* advance(node.config.electionTimeoutMaxMs + 50)
      expect(node.roles).toEqual([{ term: 1, role: "follower" }])
      yield* node.deliver("c1", { type: "write", msg_id: 1, key: 1, value: 1 })
      yield* advance(10)
      const sent = yield* node.sent
      expect(ofType(sent, "forward")).toEqual([])
      expect(sent.filter((m) => m.envelope.dest === "c1").map((m) => m.envelope.body)).toMatchObject([
        { type: "error", code: 11, in_reply_to: 1, text: "no leader heard from within an election timeout; try again" }
      ])
    }))

  it.scoped("a duplicated forward enters the leader's log once, and the copy's answer is indefinite", () =>
    Effect.gen(function*() {
      const node = yield* startScriptedNode()
      const { leadWithNoopCommitted, n2AcknowledgesAll, repliesTo } = observe(node)
      yield* leadWithNoopCommitted
      const term = node.storage.hardState.term
      const forward = { type: "forward", term, session: "n2:77", serial: 1, request: { type: "write", key: 1, value: 5 } }
      yield* node.deliver("n2", { ...forward, msg_id: 1 })
      yield* node.deliver("n2", { ...forward, msg_id: 2 })
      yield* node.deliver("n2", { ...forward, serial: 2, msg_id: 3 })
      // Up to two groups (proposer.ts), each committed once n2 has it.
      for (let i = 0; i < 2; i++) {
        yield* advance(10)
        yield* n2AcknowledgesAll
      }
      yield* advance(10)
      expect(node.storage.entries.filter((e) => (e.command as { readonly type: string } | undefined)?.type === "write")).toHaveLength(2)
      const answers = (yield* repliesTo("n2")).filter((body) => body.in_reply_to === 2)
      expect(answers).toMatchObject([{ type: "error", code: 0 }])
    }))

  it.scoped("a forward naming an earlier term is refused, indefinitely, even by the node that led it and leads again", () =>
    Effect.gen(function*() {
      const storage = {
        snapshot: null,
        entries: [{ term: 1 }] as Array<Entry>,
        hardState: { term: 1, votedFor: "n1", caughtUp: true }
      }
      const node = yield* startScriptedNode(storage)
      yield* electN1(node)
      expect(storage.hardState.term).toBeGreaterThan(1)
      // A copy of a forward sent to n1 when it led term 1, delivered only now.
      yield* node.deliver("n2", { type: "forward", msg_id: 1, term: 1, session: "n2:77", serial: 1,
        request: { type: "write", key: 1, value: 5 } })
      yield* advance(10)
      expect(storage.entries.map((e) => e.command)).toEqual([undefined, undefined])
      expect((yield* node.sent).filter((m) => m.envelope.body.in_reply_to === 1).map((m) => m.envelope.body)).toMatchObject([
        { type: "error", code: 0 }
      ])
    }))

  it.scoped("a forwarded request reaching a node that is not leader is not passed on, and its refusal is indefinite", () =>
    Effect.gen(function*() {
      const node = yield* startScriptedNode()
      yield* node.deliver("n2", heartbeatFrom(1, "n3"))
      yield* node.deliver("n2", { type: "forward", msg_id: 5, term: 1, session: "n2:1", serial: 1, request: { type: "read", key: 1 } })
      yield* advance(10)
      const sent = yield* node.sent
      expect(ofType(sent, "forward")).toEqual([])
      // Indefinite: a duplicate of this forward could still arrive once this node leads, and run.
      expect(sent.filter((m) => m.envelope.body.in_reply_to === 5).map((m) => m.envelope.body)).toMatchObject([
        { type: "error", code: 0 }
      ])
    }))

  it.scoped("a read at the leader is answered only after a majority acknowledged it as leader, without a log entry", () =>
    Effect.gen(function*() {
      const node = yield* startScriptedNode()
      const { leadWithNoopCommitted, n2AcknowledgesAll, repliesTo } = observe(node)
      yield* leadWithNoopCommitted
      const entriesBefore = node.storage.entries.length
      yield* node.deliver("c1", { type: "read", msg_id: 1, key: 1 })
      yield* advance(20)
      // Not yet: nobody has answered an AppendEntries sent after the read arrived.
      expect(yield* repliesTo("c1")).toEqual([])
      yield* n2AcknowledgesAll
      yield* advance(10)
      expect(yield* repliesTo("c1")).toMatchObject([{ type: "error", code: 20, in_reply_to: 1 }])
      expect(node.storage.entries.length).toBe(entriesBefore)
    }))

  it.scoped("a leader cut off after its no-op committed never answers a read with data", () =>
    Effect.gen(function*() {
      const node = yield* startScriptedNode()
      const { leadWithNoopCommitted, repliesTo } = observe(node)
      yield* leadWithNoopCommitted
      // From now on nobody answers: another leader may be taking writes elsewhere.
      yield* node.deliver("c1", { type: "read", msg_id: 1, key: 1 })
      yield* advance(node.config.requestTimeoutMs + 100)
      const replies = yield* repliesTo("c1")
      expect(replies).toHaveLength(1)
      expect(replies[0]).toMatchObject({ type: "error" })
      expect([0, 11]).toContain(replies[0]!["code"])
    }))
})

describe("a node with a long backlog to apply", () => {
  /** The lin-kv store, each apply taking 1 ms of (test) clock time. */
  const slowKvStateMachine = Layer.scopedContext(
    Effect.map(Layer.build(KvStateMachine), (built) => {
      const machine = Context.get(built, LinKvState)
      const slow = { ...machine, apply: (command: KvCommand) => Effect.zipRight(Effect.sleep(10), machine.apply(command)) }
      return Context.make(LinKvState, slow).pipe(Context.add(StateMachine, slow))
    })
  )

  it.scoped("a read that times out behind the applier says so, not that a majority never confirmed it", () =>
    Effect.gen(function*() {
      // A lone node restarting with 300 entries it committed before; reapplying them takes 3 s here.
      const storage = {
        snapshot: null,
        entries: Array.from({ length: 300 }, (_, i): Entry => ({ term: 1, command: { type: "write", key: i % 7, value: i } })),
        hardState: { term: 1, votedFor: "n1", caughtUp: true }
      }
      const node = yield* startScriptedNode(storage, undefined, { nodeIds: ["n1"], stateMachine: slowKvStateMachine })
      yield* advance(node.config.electionTimeoutMaxMs + 50)
      expect(node.roles.at(-1)).toEqual({ term: 2, role: "leader" })
      yield* node.deliver("c1", { type: "read", msg_id: 1, key: 1 })
      yield* advance(node.config.requestTimeoutMs + 50)
      const replies = (yield* node.sent).filter((m) => m.envelope.dest === "c1").map((m) => m.envelope.body)
      expect(replies).toMatchObject([{
        type: "error",
        code: 0,
        in_reply_to: 1,
        text:
          "timed out waiting for the state machine to apply the entries committed before the read; the operation may or may not have happened"
      }])
    }))
})
