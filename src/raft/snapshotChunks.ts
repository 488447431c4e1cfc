import { Chunk, Effect, Option, Stream } from "effect"
import type { Snapshot } from "../../services/Log.js"
import { MalformedSnapshot } from "../../services/StateMachine.js"

/**
 * Cuts a state machine's snapshot items into chunks, each the JSON text of
 * an array of items, of at most `maxChars` characters (an item larger than
 * that makes a chunk of its own): a chunk is one record of a log file and
 * one InstallSnapshot message. There is always at least one chunk (`[]` for
 * an empty state). Each run of the result cuts the items afresh.
 */
export const cutIntoChunks = <E>(items: Stream.Stream<unknown, E>, maxChars: number): Stream.Stream<string, E> =>
  Stream.suspend(() => {
    let texts: Array<string> = []
    let size = 2
    const flush = () => {
      const chunk = `[${texts.join(",")}]`
      texts = []
      size = 2
      return chunk
    }
    return items.pipe(
      Stream.filterMap((item) => {
        const text = JSON.stringify(item)
        const full = texts.length > 0 && size + 1 + text.length > maxChars ? Option.some(flush()) : Option.none()
        size += text.length + (texts.length > 0 ? 1 : 0)
        texts.push(text)
        return full
      }),
      Stream.concat(Stream.sync(flush))
    )
  })

/** A snapshot's items, read back a chunk at a time from the log. */
export const snapshotItems = (snapshot: Snapshot) =>
  Stream.paginateChunkEffect(0, (index) =>
    Effect.flatMap(snapshot.chunk(index), ({ last, text }) =>
      Effect.try({
        try: () => JSON.parse(text) as unknown,
        catch: (error) =>
          new MalformedSnapshot({
            message: `chunk ${index} of the snapshot of entries up to ${snapshot.lastIndex} is not JSON: ${String(error)}`
          })
      }).pipe(
        Effect.filterOrFail(
          Array.isArray,
          () => new MalformedSnapshot({ message: `chunk ${index} of the snapshot of entries up to ${snapshot.lastIndex} is not an array` })
        ),
        Effect.map((items) => [Chunk.unsafeFromArray(items as Array<unknown>), last ? Option.none() : Option.some(index + 1)] as const)
      )))
