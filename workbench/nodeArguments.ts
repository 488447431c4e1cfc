/** The words of a `test` command line: the workbench's own options, and the node binary's arguments. */
export interface SplitArguments {
  readonly options: ReadonlyArray<string>
  readonly nodeArguments: ReadonlyArray<string>
}

/**
 * Splits the words after `test`: the node's arguments are everything after
 * `--`, or from the first word that is neither an option nor an option's
 * value. Options are never passed to the node, so a misspelt option stays
 * with the workbench's parser, which refuses it.
 */
export const splitNodeArguments = (
  words: ReadonlyArray<string>,
  optionsWithoutValue: ReadonlySet<string>
): SplitArguments => {
  let i = 0
  while (i < words.length) {
    const word = words[i]!
    if (word === "--") return { options: words.slice(0, i), nodeArguments: words.slice(i + 1) }
    if (!word.startsWith("-") || word === "-") break
    i += word.includes("=") || optionsWithoutValue.has(word) ? 1 : 2
  }
  return { options: words.slice(0, i), nodeArguments: words.slice(i) }
}
