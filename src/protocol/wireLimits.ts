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

/**
 * True when the JSON text nests arrays and objects deeper than `limit`.
 * A single pass over the characters, brackets inside strings not counted:
 * cheap, and safe on any text, JSON or not.
 */
export const nestsDeeperThan = (text: string, limit: number): boolean => {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++ // a backslash escapes the next character
      else if (c === 0x22) inString = false
    } else if (c === 0x22) {
      inString = true
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true
    } else if (c === 0x5d || c === 0x7d) {
      depth--
    }
  }
  return false
}
