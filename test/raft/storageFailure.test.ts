import { describe, expect, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber, TestClock } from "effect"
import { emptyMemoryLogStorage } from "../../layers/MemoryLog.js"
import { LogError, type LogShape } from "../../services/Log.js"
import { startScriptedNode } from "../support/ScriptedPeers.js"

const appendEntriesFrom = (leader: string, msgId: number, entries: ReadonlyArray<unknown>) => ({
  type: "append_entries",
  msg_id: msgId,
  term: 1,
  leader_id: leader,
  prev_log_index: 0,
  prev_log_term: 0,
  entries,
  leader_commit: 0
})

describe("a node whose log cannot be written", () => {
  it.scoped("stops with the log's reason and answers the client request it was serving with an indefinite error", () =>
    Effect.gen(function*() {
      let diskFull = false
      const diskFailed = yield* Deferred.make<never, LogError>()
      const failingAppends = (log: LogShape): LogShape => ({
        ...log,
        append: (entries) =>
          diskFull
            ? Deferred.fail(diskFailed, new LogError({ reason: "appending to n1.log at byte 120 failed: write n1.log: ENOSPC" }))
            : log.append(entries),
        failure: Deferred.await(diskFailed)
      })
      const scripted = yield* startScriptedNode(emptyMemoryLogStorage(), failingAppends)
      const settle = TestClock.adjust(1)

      // n1 follows n2, and passes a client's write on to it: the write is in flight at n1.
      yield* scripted.deliver("n2", appendEntriesFrom("n2", 1, []))
      yield* settle
      yield* scripted.deliver("c1", { type: "write", msg_id: 7, key: 1, value: 1 })
      yield* settle
      const sentBefore = (yield* scripted.sent).map((m) => m.envelope)
      expect(sentBefore.find((m) => m.dest === "n2" && m.body.type === "forward")).toBeDefined()

      // The next entries n2 sends cannot be written.
      diskFull = true
      yield* scripted.deliver("n2", appendEntriesFrom("n2", 2, [{ term: 1 }]))
      yield* settle
      const exit = yield* Fiber.await(scripted.node)
      expect(Exit.isFailure(exit) && Cause.pretty(exit.cause)).toContain("ENOSPC")

      const toClient = (yield* scripted.sent).map((m) => m.envelope).filter((m) => m.dest === "c1")
      expect(toClient.map((m) => m.body)).toEqual([{
        type: "error",
        code: 13,
        in_reply_to: 7,
        text: "n1 stopped: appending to n1.log at byte 120 failed: write n1.log: ENOSPC; the operation may or may not have happened"
      }])
    }))
})
