import { Effect, Layer } from "effect"
import { type HardState, Log, type LogShape } from "../services/Log.js"
import type { Entry } from "../src/protocol/raftMessages.js"

/**
 * What a durable log would keep across a crash. A simulated node that
 * restarts with the same storage object comes back with its log and hard state.
 */
export interface MemoryLogStorage {
  entries: Array<Entry>
  hardState: HardState
}

export const emptyMemoryLogStorage = (): MemoryLogStorage => ({
  entries: [],
  hardState: { term: 0, votedFor: null, caughtUp: true }
})

/** A Log that lives in (possibly shared) memory. */
export const makeMemoryLog = (storage: MemoryLogStorage): LogShape => ({
  lastIndex: () => storage.entries.length,
  termAt: (index) => (index === 0 ? 0 : storage.entries[index - 1]?.term),
  entryAt: (index) => (index === 0 ? undefined : storage.entries[index - 1]),
  slice: (from, to) => storage.entries.slice(Math.max(from, 1) - 1, Math.max(to, 0)),
  hardState: () => storage.hardState,
  saveHardState: (state) => Effect.sync(() => void (storage.hardState = state)),
  append: (entries) => Effect.sync(() => void storage.entries.push(...entries)),
  truncateFrom: (index) => Effect.sync(() => void storage.entries.splice(Math.max(index, 1) - 1))
})

export const MemoryLog = Layer.sync(Log, () => makeMemoryLog(emptyMemoryLogStorage()))
