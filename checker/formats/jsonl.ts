import { Either, ParseResult, Schema } from "effect"
import { HistoryOp } from "../history.js"
import { MalformedHistory } from "../operations.js"

const decodeOp = Schema.decodeUnknownEither(HistoryOp)

/** Reads the project's history.jsonl: one HistoryOp per line, blank lines ignored. */
export const parseHistoryJsonl = (text: string): Array<HistoryOp> => {
  const ops: Array<HistoryOp> = []
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return
    let json: unknown
    try {
      json = JSON.parse(line)
    } catch (error) {
      throw new MalformedHistory({ message: `line ${i + 1}: not JSON (${(error as Error).message})` })
    }
    const decoded = decodeOp(json)
    if (Either.isLeft(decoded)) {
      const issues = ParseResult.ArrayFormatter.formatErrorSync(decoded.left)
      const text = issues.map((issue) => `${issue.path.join(".") || "line"}: ${issue.message}`).join("; ")
      throw new MalformedHistory({ message: `line ${i + 1}: not a history op (${text})` })
    }
    ops.push(decoded.right)
  })
  return ops
}
