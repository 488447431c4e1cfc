import { Either } from "effect"

/** The I-th (from 1) of N slices of a seed range, from `--shard I/N`. */
export interface Shard {
  readonly index: number
  readonly of: number
}

/** A range of seeds: `count` seeds from `first`. */
export interface SeedRange {
  readonly first: number
  readonly count: number
}

/** Reads `I/N` (1 ≤ I ≤ N), or says what is wrong with it. */
export const parseShard = (text: string): Either.Either<Shard, string> => {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim())
  if (match === null) return Either.left(`--shard must be I/N (the I-th of N slices, e.g. 2/4), not "${text}"`)
  const index = Number(match[1])
  const of = Number(match[2])
  if (of < 1 || index < 1 || index > of) {
    return Either.left(`--shard ${text}: I must be between 1 and N, and N at least 1`)
  }
  return Either.right({ index, of })
}

/**
 * The seeds of one shard: the range cut into N contiguous slices whose sizes
 * differ by one at most, so N machines each running their own `--shard I/N`
 * of the same range run every seed exactly once.
 */
export const shardOfRange = (range: SeedRange, shard: Shard): SeedRange => {
  const start = Math.floor(((shard.index - 1) * range.count) / shard.of)
  const end = Math.floor((shard.index * range.count) / shard.of)
  return { first: range.first + start, count: end - start }
}
