import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect, Layer, Queue, Stream } from "effect"
import { FileLog, type FileLogOptions } from "../../layers/FileLog.js"
import { NodeDisk } from "../../layers/NodeDisk.js"
import type { Disk } from "../../services/Disk.js"
import { Log, type NewSnapshot } from "../../services/Log.js"
import { Network, type NetworkShape } from "../../services/Network.js"
import type { Entry } from "../../src/protocol/raftMessages.js"

export const entry = (term: number, value: string | number): Entry => ({ term, command: { type: "write", key: 1, value } })

/** The FileLog only asks the network who it is and who else is in its cluster. */
const asNode = (self: string, nodeIds: ReadonlyArray<string>) => Layer.succeed(Network, { self, nodeIds } as NetworkShape)

/** Node n2 in a cluster of three; a lone n2 when a test says so. */
export const threeNodes = ["n1", "n2", "n3"]
export const loneNode = ["n2"]

/** Opens node n2's log in `directory`, uses it, waits until what it changed is durable (unless the disk failed), and closes it. */
export const withLog = <A, E>(
  directory: string,
  use: (log: Log["Type"]) => Effect.Effect<A, E>,
  disk: Layer.Layer<Disk> = NodeDisk,
  options: FileLogOptions = {},
  nodeIds: ReadonlyArray<string> = threeNodes
) =>
  Effect.scoped(
    Effect.flatMap(Log, (log) => Effect.tap(use(log), () => Effect.ignore(log.durable))).pipe(
      Effect.provide(FileLog(directory, options).pipe(Layer.provide([asNode("n2", nodeIds), disk])))
    )
  )

export const freshDirectory = () => fs.mkdtempSync(path.join(os.tmpdir(), "filelog-"))

/** As withLog, giving `use` a wait for the next compaction to be in place on disk (compactions run beside the log's writes). */
export const withCompactingLog = <A, E>(
  directory: string,
  use: (log: Log["Type"], compacted: Effect.Effect<void>) => Effect.Effect<A, E>,
  disk: Layer.Layer<Disk> = NodeDisk
) =>
  Effect.flatMap(Queue.unbounded<void>(), (compactions) =>
    withLog(directory, (log) =>
      use(log, Queue.take(compactions)), disk, { onCompacted: Queue.offer(compactions, undefined) }))

/** A snapshot to save, of these chunks (each the JSON text of an array of items). */
export const newSnapshot = (lastIndex: number, lastTerm: number, ...chunks: ReadonlyArray<string>): NewSnapshot => ({
  lastIndex,
  lastTerm,
  chunks: Stream.fromIterable(chunks)
})

/** A log's snapshot as read back: its place and its chunks' texts. */
export const readSnapshot = (log: Log["Type"]) =>
  Effect.gen(function*() {
    const snapshot = log.snapshot()
    if (snapshot === null) return null
    const chunks: Array<string> = []
    for (let index = 0;; index++) {
      const { last, text } = yield* snapshot.chunk(index)
      chunks.push(text)
      if (last) return { lastIndex: snapshot.lastIndex, lastTerm: snapshot.lastTerm, chunks }
    }
  })
