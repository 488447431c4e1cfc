import { Chunk, Effect, Layer, Stream } from "effect"
import { type Entry, type HardState, Log, type LogShape, type LogView, type Snapshot, type SnapshotPlace } from "../services/Log.js"

/**
 * What a durable log would keep across a crash: the latest snapshot, the
 * entries after it, and the hard state. A simulated node that restarts with
 * the same storage object comes back with all three.
 */
export interface MemoryLogStorage {
  snapshot: Snapshot | null
  /** The entries after the snapshot's last index (from index 1 without a snapshot). */
  entries: Array<Entry>
  hardState: HardState
}

export const emptyMemoryLogStorage = (): MemoryLogStorage => ({
  snapshot: null,
  entries: [],
  hardState: { term: 0, votedFor: null, caughtUp: true }
})

/** The index of the last entry the snapshot stands for: the one before the first entry held. */
const offsetOf = (storage: MemoryLogStorage): number => storage.snapshot?.lastIndex ?? 0

/** The log's reads over `storage`, following it as it changes. */
export const logViewOf = (storage: MemoryLogStorage): LogView => ({
  firstIndex: () => offsetOf(storage) + 1,
  lastIndex: () => offsetOf(storage) + storage.entries.length,
  termAt: (index) => {
    const offset = offsetOf(storage)
    if (index === offset) return storage.snapshot?.lastTerm ?? 0
    return index < offset ? undefined : storage.entries[index - offset - 1]?.term
  },
  entryAt: (index) => {
    const offset = offsetOf(storage)
    return index <= offset ? undefined : storage.entries[index - offset - 1]
  },
  slice: (from, to) => {
    const offset = offsetOf(storage)
    return storage.entries.slice(Math.max(from - offset, 1) - 1, Math.max(to - offset, 0))
  }
})

/** Appends after the last entry. */
export const appendEntries = (storage: MemoryLogStorage, entries: ReadonlyArray<Entry>): void => {
  for (const entry of entries) storage.entries.push(entry)
}

/** Deletes from `index` on; the snapshot's entries are not the log's to delete. */
export const truncateEntries = (storage: MemoryLogStorage, index: number): void => {
  storage.entries.splice(Math.max(index - offsetOf(storage), 1) - 1)
}

/** Puts `snapshot` in place of the entries it stands for (see LogShape.saveSnapshot). */
export const installSnapshot = (storage: MemoryLogStorage, snapshot: Snapshot): void => {
  const offset = offsetOf(storage)
  if (snapshot.lastIndex <= offset) return
  const hasItsLastEntry = logViewOf(storage).termAt(snapshot.lastIndex) === snapshot.lastTerm
  storage.entries = hasItsLastEntry ? storage.entries.slice(snapshot.lastIndex - offset) : []
  storage.snapshot = snapshot
}

/** A snapshot whose chunks are held in memory (a log in memory, or an old file's snapshot of one string). */
export const memorySnapshot = (place: SnapshotPlace, chunks: ReadonlyArray<string>): Snapshot => ({
  lastIndex: place.lastIndex,
  lastTerm: place.lastTerm,
  ...(place.config === undefined ? {} : { config: place.config }),
  chunk: (index) =>
    index < chunks.length
      ? Effect.succeed({ text: chunks[index]!, last: index === chunks.length - 1 })
      : Effect.dieMessage(`the snapshot of entries up to ${place.lastIndex} has ${chunks.length} chunks, not ${index + 1}`)
})

/** The changes a Log makes to its memory, each at once. */
export const memoryChanges = (storage: MemoryLogStorage) => ({
  saveHardState: (state: HardState) => void (storage.hardState = state),
  append: (entries: ReadonlyArray<Entry>) => appendEntries(storage, entries),
  replaceFrom: (index: number, entries: ReadonlyArray<Entry>) => {
    truncateEntries(storage, index)
    appendEntries(storage, entries)
  },
  saveSnapshot: (snapshot: Snapshot) => installSnapshot(storage, snapshot)
})

/** A Log that lives in (possibly shared) memory: every change is as durable as it will ever be once made. */
export const makeMemoryLog = (storage: MemoryLogStorage): LogShape => {
  const change = memoryChanges(storage)
  const view = logViewOf(storage)
  return {
    ...view,
    hardState: () => storage.hardState,
    // Memory holds whole changes only.
    tornTailDropped: false,
    saveHardState: (state) => Effect.sync(() => change.saveHardState(state)),
    append: (entries) => Effect.sync(() => change.append(entries)),
    replaceFrom: (index, entries) => Effect.sync(() => change.replaceFrom(index, entries)),
    snapshot: () => storage.snapshot,
    // In memory, the snapshot's chunks are kept as they are: this log holds everything in memory anyway.
    saveSnapshot: (snapshot) =>
      Stream.runCollect(snapshot.chunks).pipe(
        Effect.orDie,
        Effect.map((chunks) => change.saveSnapshot(memorySnapshot(snapshot, Chunk.toReadonlyArray(chunks))))
      ),
    whenDurable: (then) => then,
    durable: Effect.void,
    durableLastIndex: view.lastIndex,
    stalledSinceMs: () => null,
    failure: Effect.never
  }
}

export const MemoryLog = Layer.sync(Log, () => makeMemoryLog(emptyMemoryLogStorage()))
