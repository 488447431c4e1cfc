/** How many characters of lines the workbench joins before it writes them out. */
export const defaultPieceChars = 8 * 1024 * 1024

/**
 * One line of text per item, `line(item)` and a newline, joined into pieces
 * of at least `pieceChars` characters (the last may be shorter): a file
 * written piece by piece is never held as one string. V8 refuses a string
 * longer than about 512 MiB, which the history of a run with large values
 * (`--value-bytes`) can pass.
 */
export function* linePieces<A>(items: Iterable<A>, line: (item: A) => string, pieceChars = defaultPieceChars): Generator<string> {
  let piece: Array<string> = []
  let size = 0
  for (const item of items) {
    const text = `${line(item)}\n`
    piece.push(text)
    size += text.length
    if (size >= pieceChars) {
      yield piece.join("")
      piece = []
      size = 0
    }
  }
  if (piece.length > 0) yield piece.join("")
}
