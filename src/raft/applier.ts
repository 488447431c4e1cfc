import { Effect, Either, Ref } from "effect"
import type { Entry, Snapshot } from "../../services/Log.js"
import { applicableIndex, type RaftContext } from "./RaftContext.js"
import { cutIntoChunks, snapshotItems } from "./snapshotChunks.js"

/**
 * Replaces the state machine's state with a snapshot's, read a chunk at a
 * time: the node has then applied every entry up to its last index. Returns
 * false, changing nothing, when a newer snapshot replaced it meanwhile.
 */
const restore = (context: RaftContext, snapshot: Snapshot) =>
  Effect.gen(function*() {
    yield* context.stateMachine.restore(snapshotItems(snapshot))
    yield* Ref.set(context.applied, snapshot.lastIndex)
    yield* context.observer.restored(snapshot.lastIndex)
    return true
  }).pipe(Effect.catchTag("SnapshotGone", () => Effect.succeed(false)), Effect.orDie)

/** The bytes an entry takes in the log: its JSON text, as the file log writes it (UTF-8). */
const entryBytes = (entry: Entry): number => Buffer.byteLength(JSON.stringify(entry))

/**
 * Snapshots the state machine and compacts the log once `snapshotEvery`
 * entries, or entries of `snapshotBytes` bytes in all, were applied since the
 * last snapshot. Only the applier calls it, so the state it snapshots is
 * exactly the state after `applied`. Returns whether it compacted.
 */
const snapshotIfDue = (context: RaftContext, applied: number, bytesSinceSnapshot: number) =>
  Effect.gen(function*() {
    const snapshotIndex = context.log.firstIndex() - 1
    const due = applied - snapshotIndex >= context.config.snapshotEvery ||
      (applied > snapshotIndex && bytesSinceSnapshot >= context.config.snapshotBytes)
    if (!due) return false
    const lastIndex = context.rules.snapshotIndex(applied)
    const lastTerm = context.log.termAt(lastIndex)
    // Gone already: a leader's newer snapshot replaced these entries meanwhile.
    if (lastTerm === undefined) return false
    const items = yield* context.stateMachine.snapshot
    yield* context.log.saveSnapshot({
      lastIndex,
      lastTerm,
      config: context.configurations.at(lastIndex),
      chunks: cutIntoChunks(items, context.config.snapshotChunkChars)
    })
    return true
  })

/** Passes the read barriers whose read index is applied: the state machine holds exactly the entries up to `applied`. */
const passBarriers = (context: RaftContext, applied: number) =>
  Effect.forEach(context.reads.takeReady(applied), (barrier) => barrier.settle(Either.void), { discard: true })

/** How many entries the applier applies between two looks at the read barriers, when it has a backlog. */
const barrierCheckEvery = 256

/**
 * Applies committed entries to the state machine in log order, exactly once
 * each, and hands each result to the proposal waiting for it (if this node
 * appended it as leader); passes confirmed read barriers once their read
 * index is applied, also in the middle of a long backlog (a restart with
 * many entries to replay), yielding there to the node's other fibers. Where
 * the entries were compacted away (a restart, or a snapshot installed from
 * the leader), the state machine restores the log's snapshot instead. One
 * fiber for the node's life.
 */
export const applier = (context: RaftContext) =>
  Effect.gen(function*() {
    let lastCommitted = 0
    // Counted again from the snapshot after a restart, as the entries after it are applied again.
    let bytesSinceSnapshot = 0
    while (true) {
      // Committed, and durable here: what this node applies, a crash cannot take back from it.
      const state = yield* context.state.get
      const commitIndex = applicableIndex(state)
      let applied = yield* Ref.get(context.applied)
      while (applied < commitIndex) {
        const index = applied + 1
        // Committed entries are never truncated, so reading outside the state lock is safe.
        const entry = context.log.entryAt(index)
        if (entry === undefined) {
          const snapshot = context.log.snapshot()
          if (snapshot === null || snapshot.lastIndex < index) {
            return yield* Effect.dieMessage(`committed entry ${index} is missing from the log`)
          }
          // Replaced by a newer one while it was read: the next turn restores that one.
          if (!(yield* restore(context, snapshot))) continue
          applied = snapshot.lastIndex
          bytesSinceSnapshot = 0
          continue
        }
        // The command is what the application proposed: its state machine takes it as it gave it.
        const result = entry.command === undefined ? undefined : yield* context.stateMachine.apply(entry.command as never)
        applied = index
        bytesSinceSnapshot += entryBytes(entry)
        yield* Ref.set(context.applied, applied)
        yield* context.observer.applied(index, entry)
        yield* context.pending.settle(index, entry.term, result)
        if (applied % barrierCheckEvery === 0 && applied < commitIndex) {
          yield* passBarriers(context, applied)
          yield* Effect.yieldNow()
        }
      }
      if (commitIndex > lastCommitted) {
        yield* context.observer.committed(commitIndex)
        lastCommitted = commitIndex
      }
      yield* passBarriers(context, applied)
      if (yield* snapshotIfDue(context, applied, bytesSinceSnapshot)) bytesSinceSnapshot = 0
      yield* context.applySignal.wait
    }
  })
