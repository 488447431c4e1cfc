/**
 * Maelstrom's `lin-tso`: a timestamp oracle. Each `ts` request gets the next
 * integer, from 0 up, linearizably: `{"type": "ts_ok", "ts": N}`.
 */
export type TimestampOracle = number

export const firstTimestamp: TimestampOracle = 0

export const nextTimestamp = (next: TimestampOracle): readonly [{ readonly type: "ts_ok"; readonly ts: number }, TimestampOracle] => [
  { type: "ts_ok", ts: next },
  next + 1
]
