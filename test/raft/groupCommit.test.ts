import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { emptyMemoryLogStorage } from "../../layers/MemoryLog.js"
import type { LogShape } from "../../services/Log.js"
import { advance, observe, startScriptedNode } from "../support/ScriptedPeers.js"

describe("group commit", () => {
  it.scoped("appends every write that waited in one Log append, one group at a time, and answers each once applied", () =>
    Effect.gen(function*() {
      // A log whose appends the test can hold, as a slow fsync would; each append is one record and one fsync in FileLog.
      const gate = yield* Effect.makeLatch(true)
      const appends: Array<number> = []
      const heldLog = (log: LogShape): LogShape => ({
        ...log,
        append: (entries) => Effect.zipRight(gate.await, Effect.suspend(() => (appends.push(entries.length), log.append(entries))))
      })
      const node = yield* startScriptedNode(emptyMemoryLogStorage(), heldLog)
      const { leadWithNoopCommitted, n2AcknowledgesAll, repliesTo } = observe(node)
      yield* leadWithNoopCommitted
      const before = appends.length

      // The first write's append is held; 19 more arrive meanwhile, from clients and forwarded by n3, and a copy of a forward.
      yield* gate.close
      yield* node.deliver("c0", { type: "write", msg_id: 1, key: 1, value: 0 })
      yield* advance(10)
      const forward = (msgId: number, serial: number) => ({
        type: "forward",
        msg_id: msgId,
        term: node.storage.hardState.term,
        session: "n3:7",
        serial,
        request: { type: "cas", key: 1, from: 0, to: serial }
      })
      for (let i = 1; i < 20; i++) {
        yield* i % 2 === 0
          ? node.deliver(`c${i}`, { type: "write", msg_id: 1, key: 1, value: i })
          : node.deliver("n3", forward(i, i))
      }
      yield* node.deliver("n3", forward(100, 1))
      yield* advance(10)
      yield* gate.open
      yield* advance(10)
      // The 19 wait while the first write's group is replicated: nothing commits without n2.
      expect(appends.slice(before)).toEqual([1])
      yield* n2AcknowledgesAll
      yield* advance(10)
      expect(appends.slice(before)).toEqual([1, 19])
      yield* n2AcknowledgesAll
      yield* advance(10)
      const clients = Array.from({ length: 10 }, (_, i) => `c${2 * i}`)
      for (const client of clients) expect(yield* repliesTo(client)).toEqual([{ type: "write_ok", in_reply_to: 1 }])
      const forwarded = (yield* repliesTo("n3")).filter((body) => body.type !== "append_entries" && body.type !== "request_vote")
      // The copy is refused at once (indefinitely); the first cas finds 0 (written by c0), the rest what it wrote.
      expect(forwarded.map((body) => [body.in_reply_to, body.type, body["code"]])).toEqual([
        [100, "error", 0],
        [1, "cas_ok", undefined],
        ...Array.from({ length: 9 }, (_, i) => [2 * i + 3, "error", 22])
      ])
    }))

  it.scoped("a follower takes an AppendEntries that replaces a conflicting suffix with one Log change, its term only when new", () =>
    Effect.gen(function*() {
      const changes: Array<string> = []
      const countedLog = (log: LogShape): LogShape => ({
        ...log,
        saveHardState: (state) => Effect.zipRight(Effect.sync(() => changes.push(`term ${state.term}`)), log.saveHardState(state)),
        append: (entries) => Effect.zipRight(Effect.sync(() => changes.push(`append ${entries.length}`)), log.append(entries)),
        replaceFrom: (index, entries) =>
          Effect.zipRight(Effect.sync(() => changes.push(`replace from ${index} with ${entries.length}`)), log.replaceFrom(index, entries))
      })
      const write = (term: number, value: number) => ({ term, command: { type: "write" as const, key: 1, value } })
      const storage = { snapshot: null, entries: [write(1, 1), write(1, 2), write(1, 3)],
        hardState: { term: 1, votedFor: null, caughtUp: true } }
      const node = yield* startScriptedNode(storage, countedLog)
      const appendEntries = (msgId: number, prevIndex: number, prevTerm: number, entries: ReadonlyArray<unknown>) => ({
        type: "append_entries",
        msg_id: msgId,
        term: 2,
        leader_id: "n2",
        prev_log_index: prevIndex,
        prev_log_term: prevTerm,
        entries,
        leader_commit: 1
      })
      yield* node.deliver("n2", appendEntries(1, 1, 1, []))
      yield* advance(10)
      yield* node.deliver("n2", appendEntries(2, 1, 1, [write(2, 4), write(2, 5)]))
      yield* advance(10)
      yield* node.deliver("n2", appendEntries(3, 3, 2, [write(2, 6)]))
      yield* advance(10)
      expect(changes).toEqual(["term 2", "replace from 2 with 2", "append 1"])
      expect(storage.entries).toEqual([write(1, 1), write(2, 4), write(2, 5), write(2, 6)])
    }))

  it.scoped("a write still queued behind a group that cannot commit gets an indefinite answer at the request timeout", () =>
    Effect.gen(function*() {
      const node = yield* startScriptedNode()
      const { leadWithNoopCommitted } = observe(node)
      yield* leadWithNoopCommitted
      // From now on n2 and n3 answer (so n1 still leads) but take nothing: no group commits.
      const toClients: Array<unknown> = []
      const followersRefuse = Effect.gen(function*() {
        for (const { envelope } of yield* node.sent) {
          const body = envelope.body as Record<string, any>
          if (envelope.dest.startsWith("c")) toClients.push({ dest: envelope.dest, ...body })
          if (body.type !== "append_entries") continue
          yield* node.deliver(envelope.dest, {
            type: "append_entries_result",
            in_reply_to: body.msg_id,
            term: body.term,
            success: false,
            match_index: 0,
            conflict_index: Math.max(1, body.prev_log_index)
          })
        }
      })
      yield* node.deliver("c1", { type: "write", msg_id: 1, key: 1, value: 1 })
      yield* advance(10)
      yield* node.deliver("c2", { type: "write", msg_id: 1, key: 1, value: 2 })
      for (let t = 0; t < node.config.requestTimeoutMs + 100; t += 20) {
        yield* advance(20)
        yield* followersRefuse
      }
      expect(node.roles.at(-1)?.role).toBe("leader")
      expect(node.storage.entries.filter((e) => (e.command as { readonly type: string } | undefined)?.type === "write")).toHaveLength(1)
      expect(toClients).toMatchObject([
        { dest: "c1", type: "error", code: 0, text: expect.stringContaining("timed out waiting for commit") },
        { dest: "c2", type: "error", code: 0, text: expect.stringContaining("timed out waiting for commit") }
      ])
    }))

  it.scoped("a write queued behind a group of a leadership that ends is refused at once, definitely: it entered no log", () =>
    Effect.gen(function*() {
      const node = yield* startScriptedNode()
      const { leadWithNoopCommitted, repliesTo } = observe(node)
      yield* leadWithNoopCommitted
      // From now on nobody answers: n1 steps down (CheckQuorum) with its group uncommitted.
      yield* node.deliver("c1", { type: "write", msg_id: 1, key: 1, value: 1 })
      yield* advance(10)
      yield* node.deliver("c2", { type: "write", msg_id: 1, key: 1, value: 2 })
      yield* advance(2 * node.config.electionTimeoutMaxMs + 100)
      expect(node.roles.at(-1)?.role).not.toBe("leader")
      expect(yield* repliesTo("c2")).toMatchObject([{ type: "error", code: 11 }])
      expect(yield* repliesTo("c1")).toEqual([])
    }))
})
