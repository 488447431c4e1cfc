import { Deferred, Effect } from "effect"
import type { RaftContext } from "./RaftContext.js"

/**
 * Applies committed entries to the state machine in log order, exactly once
 * each, and hands each result to the client request waiting for it (if this
 * node accepted that request as leader); answers confirmed ReadIndex reads
 * once their read index is applied. One fiber for the node's life.
 */
export const applier = (context: RaftContext) =>
  Effect.gen(function*() {
    let lastApplied = 0
    while (true) {
      const { commitIndex } = yield* context.state.get
      let lastCommitted = lastApplied
      while (lastApplied < commitIndex) {
        const index = lastApplied + 1
        // Committed entries are never truncated, so reading outside the state lock is safe.
        const entry = context.log.entryAt(index)
        if (entry === undefined) return yield* Effect.dieMessage(`committed entry ${index} is missing from the log`)
        const reply = entry.command.type === "noop" ? null : yield* context.stateMachine.apply(entry.command)
        lastApplied = index
        yield* context.observer.applied(index, entry)
        yield* context.pending.settle(index, entry.term, reply)
      }
      if (commitIndex > lastCommitted) {
        yield* context.observer.committed(commitIndex)
        lastCommitted = commitIndex
      }
      // ReadIndex reads, answered here so that they see exactly the entries applied so far.
      for (const read of context.reads.takeReady(lastApplied)) {
        yield* Deferred.succeed(read.reply, yield* context.stateMachine.query(read.request))
      }
      yield* context.applySignal.wait
    }
  })
