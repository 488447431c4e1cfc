import type { Entry } from "../src/protocol/raftMessages.js"

/** An entry as a string: equal strings, equal entries. */
export const entryKey = (entry: Entry): string => JSON.stringify(entry)

/**
 * The hash of a log prefix, from the hash of the prefix before it and the
 * next entry: two logs agree up to an index when their hashes there agree
 * (up to a 2^-53 chance of a collision, which could only hide a violation).
 */
export const chainHash = (previous: number, entry: Entry): number => {
  const text = entryKey(entry)
  let low = (previous ^ 0x811c9dc5) >>> 0
  let high = (Math.floor(previous / 0x100000000) ^ 0x01000193) >>> 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    low = Math.imul(low ^ c, 0x01000193) >>> 0
    high = Math.imul(high ^ c, 0x5bd1e995) >>> 0
  }
  return (high & 0x1fffff) * 0x100000000 + low
}
