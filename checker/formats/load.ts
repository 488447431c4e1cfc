import type { HistoryOp } from "../history.js"
import type { CheckOptions } from "../result.js"
import { parseEdnHistory } from "./edn.js"
import { parseHistoryJsonl } from "./jsonl.js"

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

/** Parses a history file's text; throws MalformedHistory when it cannot. */
export const parseHistoryText = (path: string, text: string): LoadedHistory => {
  const format = detectFormat(path, text)
  if (format === "jsonl") return { format, ops: parseHistoryJsonl(text), options: {} }
  const edn = parseEdnHistory(text)
  return { format, layout: edn.layout, ops: edn.ops, options: { nilReadMatchesAnything: true } }
}
