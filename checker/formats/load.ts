import type { HistoryOp } from "../history.js"
import type { CheckOptions } from "../result.js"
import { parseEdnHistory } from "./edn.js"
import { parseHistoryJsonl } from "./jsonl.js"
import { MalformedHistory } from "../operations.js"

export type HistoryFormat = "jsonl" | "edn"

export interface LoadedHistory {
  readonly format: HistoryFormat
  /** For EDN: which layout was found. */
  readonly layout?: string
  readonly ops: ReadonlyArray<HistoryOp>
  /** What the format implies for checking (EDN reads nil the way Knossos does). */
  readonly options: Pick<CheckOptions, "nilReadMatchesAnything">
}

/** By extension; otherwise a first line that starts with `{"` is JSON lines, anything else EDN. */
export const detectFormat = (path: string, text: string): HistoryFormat => {
  if (/\.jsonl?$/i.test(path)) return "jsonl"
  if (/\.edn$/i.test(path)) return "edn"
  return /^\s*\{\s*"/.test(text) ? "jsonl" : "edn"
}

const parseByFormat = (format: HistoryFormat, text: string): LoadedHistory => {
  if (format === "jsonl") return { format, ops: parseHistoryJsonl(text), options: {} }
  const edn = parseEdnHistory(text)
  return { format, layout: edn.layout, ops: edn.ops, options: { nilReadMatchesAnything: true } }
}

/** Maelstrom's history.txt is a table for people, not data: say where the data is. */
const hintFor = (path: string): string =>
  /\.txt$/i.test(path) ? " (Maelstrom's history.txt is for reading; check the history.edn beside it)" : ""

/**
 * Parses a history file's text; throws MalformedHistory when it cannot, and
 * when it holds no client operation at all: an empty history proves
 * nothing, so it is never a verdict.
 */
export const parseHistoryText = (path: string, text: string): LoadedHistory => {
  const format = detectFormat(path, text)
  let loaded: LoadedHistory
  try {
    loaded = parseByFormat(format, text)
  } catch (error) {
    if (error instanceof MalformedHistory) throw new MalformedHistory({ message: `${error.message}${hintFor(path)}` })
    throw error
  }
  if (loaded.ops.length === 0) {
    throw new MalformedHistory({ message: `no client operations found (read as ${format})${hintFor(path)}` })
  }
  return loaded
}
