import { createHash, type Hash } from "node:crypto"

/** One line of a simulation's trace. */
export interface TraceLine {
  readonly atMs: number
  readonly text: string
}

/**
 * Everything that happened in one simulated run, in order: message fates,
 * role changes, commits, client operations, faults. Every line goes into a
 * running hash (two runs took the same steps exactly when their hashes are
 * equal); only the most recent lines are kept, to print around a failure.
 */
export class Trace {
  private readonly hash: Hash = createHash("sha256")
  private readonly recent: Array<TraceLine> = []
  private count = 0

  constructor(
    /** How many recent lines to keep; Infinity keeps the whole run. */
    private readonly keep: number
  ) {}

  record(atMs: number, text: string): void {
    this.hash.update(`${atMs} ${text}\n`)
    this.count++
    if (this.keep <= 0) return
    this.recent.push({ atMs, text })
    if (this.recent.length > this.keep * 2) this.recent.splice(0, this.recent.length - this.keep)
  }

  /** The hash of every line so far. Call once, at the end. */
  digest(): string {
    return this.hash.digest("hex")
  }

  lines(): ReadonlyArray<TraceLine> {
    return this.recent.slice(-this.keep)
  }

  get length(): number {
    return this.count
  }
}

/** A trace as text, one event a line, time in simulated milliseconds. */
export const formatTrace = (lines: ReadonlyArray<TraceLine>): string =>
  lines.map((line) => `${String(line.atMs).padStart(7)} ms  ${line.text}`).join("\n")

/** The `before` lines up to `atMs` and the `after` lines following them: the events around a failure. */
export const linesAround = (
  lines: ReadonlyArray<TraceLine>,
  atMs: number,
  before: number,
  after: number
): ReadonlyArray<TraceLine> => {
  let end = lines.findIndex((line) => line.atMs > atMs)
  if (end < 0) end = lines.length
  return lines.slice(Math.max(0, end - before), end + after)
}
