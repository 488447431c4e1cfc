import type { Stats } from "./stats.js"

/**
 * Maelstrom's rules on the operation counts, besides linearizability: every
 * kind of operation the test tried must have succeeded at least once, and,
 * when `--availability` is given, at least that fraction of all operations
 * must be ok. A run in which no operation at all completed ok (none tried, or
 * none answered) is not valid either. The reasons the rules are broken, in
 * words (empty when kept).
 */
export const statsProblems = (stats: Stats, requiredAvailability: number | undefined): ReadonlyArray<string> => {
  const neverOk = (["read", "write", "cas"] as const).filter((f) => {
    const counts = stats.byFunction[f]
    return counts.ok === 0 && counts.fail + counts.info > 0
  })
  const okFraction = stats.operations === 0 ? 0 : stats.ok / stats.operations
  const completed = stats.ok + stats.fail + stats.info
  return [
    ...(completed === 0
      ? [`no operation completed (${stats.operations} invoked, ${stats.unfinished} unanswered when the test ended)`]
      : []),
    ...neverOk.map((f) => {
      const counts = stats.byFunction[f]
      return `no ${f} ever succeeded (${counts.fail} fail, ${counts.info} info)`
    }),
    ...(requiredAvailability !== undefined && okFraction < requiredAvailability
      ? [
        `availability ${(okFraction * 100).toFixed(1)}% (${stats.ok} ok of ${stats.operations} operations) ` +
        `is below the required ${(requiredAvailability * 100).toFixed(1)}% (--availability)`
      ]
      : [])
  ]
}
