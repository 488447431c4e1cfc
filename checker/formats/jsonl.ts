import { Either, ParseResult, Schema } from "effect"
import { HistoryOp } from "../history.js"
import { MalformedHistory } from "../operations.js"

const decodeLine = Schema.decodeUnknownEither(Schema.parseJson(HistoryOp))

/** Reads the project's history.jsonl: one HistoryOp per line, blank lines ignored. */
export const parseHistoryJsonl = (text: string): Array<HistoryOp> => {
  const ops: Array<HistoryOp> = []
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return
    const decoded = decodeLine(line)
    if (Either.isLeft(decoded)) {
      throw new MalformedHistory({
        message: `line ${i + 1}: ${ParseResult.TreeFormatter.formatErrorSync(decoded.left)}`
      })
    }
    ops.push(decoded.right)
  })
  return ops
}
