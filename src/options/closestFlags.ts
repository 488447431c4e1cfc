/** The fewest single-character insertions, deletions and substitutions that turn `a` into `b`. */
const editDistance = (a: string, b: string): number => {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length]!
}

/** Further than this from every flag, a word is no near miss and gets no suggestion. */
const nearMissDistance = 3
/** More equally close flags than this suggest nothing useful. */
const mostSuggestions = 3

/**
 * The flags an unknown one probably meant: the closest by typos (`--datadir`,
 * `--snapshot-evry`), a cut-short flag counting one more (`--heartbeat` for
 * `--heartbeat-ms`, `--snapshot` for all three snapshot flags); none when
 * nothing is near or too many are.
 */
export const closestFlags = (word: string, flags: ReadonlyArray<string>): ReadonlyArray<string> => {
  const typed = word.toLowerCase()
  const scored = flags.map((flag) => ({
    flag,
    distance: Math.min(editDistance(typed, flag), editDistance(typed, flag.slice(0, typed.length)) + 1)
  }))
  const best = Math.min(...scored.map(({ distance }) => distance))
  const closest = scored.filter(({ distance }) => distance === best).map(({ flag }) => flag)
  return best <= nearMissDistance && closest.length <= mostSuggestions ? closest : []
}
