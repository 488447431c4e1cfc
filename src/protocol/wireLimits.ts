/**
 * What one line on the wire may be, checked before the line is decoded:
 * decoding holds the whole line in memory, and formatting or comparing a
 * decoded value recurses once per level of nesting (about 1250 levels
 * overflowed the stack). Both limits leave room for a client's largest
 * request (src/kv/requestLimits.ts) inside the node-to-node messages that
 * carry it: a batch of AppendEntries, a forward, a log record.
 */

/** The most bytes of one line, its newline not counted. */
export const maxLineBytes = 128 * 1024 * 1024

/** The deepest nesting of arrays and objects in one line, the envelope and body included. */
export const maxLineDepth = 128

/** The index of the quote that closes the string opened at `open`, or the text's length if none does. */
const endOfString = (text: string, open: number): number => {
  let quote = open
  while (true) {
    quote = text.indexOf("\"", quote + 1)
    if (quote === -1) return text.length
    let backslashes = 0
    while (text.charCodeAt(quote - 1 - backslashes) === 0x5c) backslashes++
    if (backslashes % 2 === 0) return quote
  }
}

/**
 * True when the JSON text nests arrays and objects deeper than `limit`.
 * One pass, strings skipped whole (brackets in them do not count): cheap,
 * and safe on any text. Text that is not JSON may be misjudged, but is then
 * refused by the parser, which does not recurse.
 */
export const nestsDeeperThan = (text: string, limit: number): boolean => {
  // Each level takes an opening and a closing bracket.
  if (text.length < 2 * (limit + 1)) return false
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x22) {
      i = endOfString(text, i)
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true
    } else if (c === 0x5d || c === 0x7d) {
      depth--
    }
  }
  return false
}
