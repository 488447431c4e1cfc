import { Effect, Layer, Metric } from "effect"
import { RaftObserver } from "../services/RaftObserver.js"
import { operationsApplied } from "./NodeStats.js"

/** Commit progress is logged at info once per this many entries, and at debug always. */
const commitInfoEvery = 1000

/**
 * Reports role changes and terms at info, commit progress at info every few
 * entries and at debug always; counts the operations applied for the stats line.
 */
export const LoggingRaftObserver = Layer.sync(RaftObserver, () => {
  let lastInfoAt = 0
  return {
    roleChanged: ({ leaderId, role, term }) =>
      Effect.logInfo(`term ${term}: ${role}${leaderId !== null && role !== "leader" ? ` (leader ${leaderId})` : ""}`),
    committed: (commitIndex) => {
      if (commitIndex - lastInfoAt < commitInfoEvery) return Effect.logDebug(`commit index ${commitIndex}`)
      lastInfoAt = commitIndex
      return Effect.logInfo(`commit index ${commitIndex}`)
    },
    // No line per entry: the commit index (above) says how far the node applied, at a fraction of the cost.
    applied: (_index, entry) => entry.command === undefined ? Effect.void : Metric.increment(operationsApplied),
    restored: (lastIndex) => Effect.logInfo(`state restored from the snapshot of entries up to ${lastIndex}`)
  }
})
