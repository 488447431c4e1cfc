import { Effect } from "effect"
import { makeMemoryLog } from "../layers/MemoryLog.js"
import type { OpenLog } from "./SimCluster.js"

/**
 * Deliberately broken Logs, each breaking one of Raft's safety rules through
 * the Log service alone, so that no test-only branch exists in the Raft code.
 * Only tests and the simulator's `--broken` option use them: they show that
 * the simulator finds the kind of bug it is there to find.
 */
export const brokenLogs = {
  /**
   * The term and vote are not durable: a restarted node is back at term 0
   * with no vote, so it can vote a second time in a term it already voted
   * in, and two leaders can be elected in one term.
   */
  "forget-vote": (storage) => {
    storage.hardState = { ...storage.hardState, term: 0, votedFor: null }
    return makeMemoryLog(storage)
  },
  /**
   * Deleting a conflicting suffix also deletes the entry before it, which
   * matched the leader's: the entries appended next land one index too
   * early, and a committed entry can be lost.
   */
  "truncate-one-more": (storage) => {
    const log = makeMemoryLog(storage)
    return { ...log, truncateFrom: (index) => Effect.suspend(() => log.truncateFrom(index - 1)) }
  }
} satisfies Record<string, OpenLog>

export type BrokenLog = keyof typeof brokenLogs
