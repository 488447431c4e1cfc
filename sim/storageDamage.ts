import { Effect, Option, Random } from "effect"

/** Where a log file's records end: each is one line. */
const newline = 0x0a

/** A file's bytes after a fault at rest, and where it struck, for the trace. */
export interface Damaged {
  readonly bytes: Uint8Array
  readonly where: string
}

/**
 * One bit of `bytes` flipped, at random, or none when no byte may be. The
 * file's last byte is spared when it ends the last record: without its
 * newline that record looks torn by a crash and is dropped unseen, which is
 * a lost suffix (see `cutSuffix`), not a damaged record.
 */
export const flipBit = (bytes: Uint8Array): Effect.Effect<Option.Option<Damaged>> =>
  Effect.gen(function*() {
    const flippable = bytes.at(-1) === newline ? bytes.length - 1 : bytes.length
    if (flippable <= 0) return Option.none()
    const at = yield* Random.nextIntBetween(0, flippable)
    const bit = yield* Random.nextIntBetween(0, 8)
    const flipped = new Uint8Array(bytes)
    flipped[at] = flipped[at]! ^ (1 << bit)
    return Option.some({ bytes: flipped, where: `bit ${bit} of byte ${at} (of ${bytes.length})` })
  })

/**
 * A fsynced suffix of `bytes` lost from inside a record on, at a random byte
 * that is not a record boundary: what is left ends as a crash's torn write
 * does, which the node drops and then asks its peers before it trusts its
 * log (src/raft/recovery.ts). None when no byte is inside a record.
 */
export const cutInsideRecord = (bytes: Uint8Array): Effect.Effect<Option.Option<Damaged>> =>
  Effect.gen(function*() {
    const inside: Array<number> = []
    for (let at = 1; at < bytes.length; at++) if (bytes[at - 1] !== newline) inside.push(at)
    if (inside.length === 0) return Option.none()
    const at = inside[yield* Random.nextIntBetween(0, inside.length)]!
    return Option.some({ bytes: bytes.subarray(0, at),
      where: `cut at byte ${at} inside a record, ${bytes.length - at} fsynced bytes lost` })
  })

/**
 * A fsynced suffix of `bytes` lost, cut at a random byte: at a record
 * boundary (what is left looks whole) or inside a record (what is left ends
 * as a crash's torn write does). Neither can be told from a file that never
 * held the lost records. None when the file is empty.
 */
export const cutSuffix = (bytes: Uint8Array): Effect.Effect<Option.Option<Damaged>> =>
  Effect.gen(function*() {
    if (bytes.length === 0) return Option.none()
    const at = yield* Random.nextIntBetween(0, bytes.length)
    const boundary = at === 0 || bytes[at - 1] === newline
    return Option.some({
      bytes: bytes.subarray(0, at),
      where: `cut at byte ${at} ${boundary ? "at a record boundary" : "inside a record"}, ${bytes.length - at} fsynced bytes lost`
    })
  })
