import type { LogView } from "../../services/Log.js"
import type { Entry } from "../protocol/raftMessages.js"

/**
 * Which client requests this node's log holds, by request id. Built from the
 * log at start (the log survives restarts, so does this knowledge) and kept
 * up to date on every append; an id whose entry was since overwritten is
 * found stale by checking the log itself.
 */
export interface RequestIds {
  readonly inLog: (requestId: string) => boolean
  readonly recordAppended: (firstIndex: number, entries: ReadonlyArray<Entry>) => void
}

export const makeRequestIds = (log: LogView): RequestIds => {
  const indexOf = new Map<string, number>()
  const recordAppended = (firstIndex: number, entries: ReadonlyArray<Entry>) =>
    entries.forEach((entry, offset) => {
      if (entry.request_id !== undefined) indexOf.set(entry.request_id, firstIndex + offset)
    })
  recordAppended(1, log.slice(1, log.lastIndex()))
  return {
    inLog: (requestId) => {
      const index = indexOf.get(requestId)
      return index !== undefined && log.entryAt(index)?.request_id === requestId
    },
    recordAppended
  }
}
