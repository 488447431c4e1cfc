import type { BoundedLine } from "./boundedLines.js"
import { describeParseError } from "../../foundation/describeParseError.js"
import { decodeEnvelope, type Envelope } from "./envelope.js"
import { maxLineDepth, nestsDeeperThan } from "./wireLimits.js"

/** Where to answer a line that is JSON but not a valid envelope. */
export interface ReplyAddress {
  readonly src: string
  readonly dest: string
  readonly msgId: number
}

/** What one line of input is: a message, nothing, or something to refuse. */
export type IncomingLine =
  | { readonly _tag: "Message"; readonly envelope: Envelope }
  | { readonly _tag: "Blank" }
  | { readonly _tag: "TooLong"; readonly bytes: number }
  | {
    readonly _tag: "Malformed"
    readonly text: string
    readonly problem: string
    /** The sender to answer, when the line names `src`, `dest` and a `msg_id`. */
    readonly address: ReplyAddress | undefined
  }

/** A line's `src`, `dest` and `msg_id`, if usable. */
const replyAddress = (text: string): ReplyAddress | undefined => {
  try {
    // JSON.parse is not recursive in V8: safe on any nesting. Only top-level fields are read.
    const value = JSON.parse(text)
    const msgId = value?.body?.msg_id
    if (typeof value?.src === "string" && typeof value?.dest === "string" && Number.isSafeInteger(msgId)) {
      return { src: value.src, dest: value.dest, msgId }
    }
  } catch {
    // not JSON at all: nobody to answer
  }
  return undefined
}

const malformed = (text: string, problem: string): IncomingLine => ({
  _tag: "Malformed",
  text,
  problem,
  address: replyAddress(text)
})

/**
 * Reads one line of input, without effects: a line deeper than the wire
 * limit is refused before it is decoded, one that is not a valid envelope
 * is refused with the reason.
 */
export const readIncomingLine = (line: BoundedLine): IncomingLine => {
  if (line._tag === "TooLong") return line
  const text = line.text
  if (text.trim() === "") return { _tag: "Blank" }
  if (nestsDeeperThan(text, maxLineDepth)) {
    return malformed(text, `the message nests arrays and objects deeper than ${maxLineDepth} levels`)
  }
  const decoded = decodeEnvelope(text)
  return decoded._tag === "Right"
    ? { _tag: "Message", envelope: decoded.right }
    : malformed(text, describeParseError(decoded.left))
}
