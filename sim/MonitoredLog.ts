import { Chunk, Effect, Stream } from "effect"
import type { LogShape } from "../services/Log.js"
import type { NodeId } from "../src/protocol/envelope.js"
import type { Entry } from "../src/protocol/raftMessages.js"
import { describeEntry } from "./describeMessage.js"
import type { InvariantMonitor } from "./InvariantMonitor.js"

/**
 * A node's Log with every change reported as it happens: to the invariant
 * monitor (log matching, committed entries stay) and to the trace (votes too).
 */
export const monitoredLog = (
  node: NodeId,
  log: LogShape,
  monitor: InvariantMonitor,
  trace: (text: string) => void
): LogShape => {
  /** Reports `entries`, just appended at the end of the log. */
  const appended = (entries: ReadonlyArray<Entry>) => {
    if (entries.length === 0) return
    const first = log.lastIndex() - entries.length + 1
    trace(`${node} log +${first}: ${entries.map(describeEntry).join(" ")}`)
    monitor.logAppended(node)
  }
  return {
    ...log,
    saveHardState: (state) =>
      Effect.tap(log.saveHardState(state), () =>
        Effect.sync(() => trace(`${node} persists term ${state.term}, vote ${state.votedFor ?? "none"}`))),
    append: (entries) => Effect.tap(log.append(entries), () => Effect.sync(() => appended(entries))),
    saveSnapshot: (snapshot) =>
      Effect.suspend(() => {
        const before = log.snapshot()
        return Effect.tap(log.saveSnapshot(snapshot), () =>
          Effect.gen(function*() {
            // Only when this very snapshot was kept: an older one changes nothing, even if another was installed meanwhile.
            const kept = log.snapshot()
            if (kept === null || kept === before || kept.lastIndex !== snapshot.lastIndex) return
            trace(
              `${node} snapshot of entries up to ${snapshot.lastIndex} (term ${snapshot.lastTerm}); log now ${log.firstIndex()}..${log.lastIndex()}`
            )
            // The chunks read once more (each run of them gives the same), joined as the application's whole list of items.
            const chunks = yield* Effect.orDie(Stream.runCollect(snapshot.chunks))
            const items = Chunk.toReadonlyArray(chunks).flatMap((text) => JSON.parse(text) as Array<unknown>)
            monitor.snapshotSaved(node, { lastIndex: snapshot.lastIndex, lastTerm: snapshot.lastTerm, data: JSON.stringify(items) })
          }))
      }),
    replaceFrom: (index, entries) =>
      Effect.suspend(() => {
        trace(`${node} log truncated from ${index} (had ${log.lastIndex()})`)
        return Effect.tap(log.replaceFrom(index, entries), () =>
          Effect.sync(() => {
            // What was kept is read from the log itself: a log that deleted more than asked is seen as it is.
            monitor.logTruncated(node, log.lastIndex() - entries.length)
            appended(entries)
          }))
      })
  }
}
