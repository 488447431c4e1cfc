import { Stream } from "effect"

/** One line of input: its text, or only its length when it was longer than the limit. */
export type BoundedLine =
  | { readonly _tag: "Line"; readonly text: string }
  | { readonly _tag: "TooLong"; readonly bytes: number }

/** Splits chunks of bytes into lines as they come: what each chunk completes, then what `end` leaves. */
export interface BoundedLineSplitter {
  readonly push: (chunk: Uint8Array) => Array<BoundedLine>
  /** The last line, when the input ended without a newline after it. */
  readonly end: () => Array<BoundedLine>
}

/**
 * Splits bytes into UTF-8 lines (at "\n", a trailing "\r" dropped) and never
 * holds more than `maxBytes` of one line: the rest of a longer line is
 * counted and dropped until its newline, so no input can exhaust memory or
 * the longest string the runtime allows. A last line without a newline
 * still counts.
 */
export const makeBoundedLineSplitter = (maxBytes: number): BoundedLineSplitter => {
  let parts: Array<Uint8Array> = []
  let bytes = 0
  let started = false
  const finish = (): BoundedLine => {
    const line: BoundedLine = bytes > maxBytes
      ? { _tag: "TooLong", bytes }
      : { _tag: "Line", text: Buffer.concat(parts).toString("utf8").replace(/\r$/, "") }
    parts = []
    bytes = 0
    started = false
    return line
  }
  const push = (chunk: Uint8Array): Array<BoundedLine> => {
    const lines: Array<BoundedLine> = []
    let start = 0
    while (start < chunk.length) {
      const newline = chunk.indexOf(0x0a, start)
      const end = newline === -1 ? chunk.length : newline
      bytes += end - start
      started = true
      if (bytes <= maxBytes) parts.push(chunk.subarray(start, end))
      else parts = []
      if (newline === -1) break
      lines.push(finish())
      start = newline + 1
    }
    return lines
  }
  return { push, end: () => (started ? [finish()] : []) }
}

/** `makeBoundedLineSplitter` over a stream of bytes. */
export const splitBoundedLines = (maxBytes: number) => <E, R>(input: Stream.Stream<Uint8Array, E, R>): Stream.Stream<BoundedLine, E, R> =>
  Stream.suspend(() => {
    const splitter = makeBoundedLineSplitter(maxBytes)
    return input.pipe(
      Stream.mapConcat(splitter.push),
      Stream.concat(Stream.suspend(() => Stream.fromIterable(splitter.end())))
    )
  })
