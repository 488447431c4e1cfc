import { posix } from "node:path"
import { Either } from "effect"
import { UsageError } from "./testOptions.js"

/** The node argument that names where a node keeps its files, as ours takes it (`bin/raft --data-dir DIR`). */
export const dataDirectoryFlag = "--data-dir"

const refused = (why: string) =>
  Either.left(
    new UsageError({
      message: `--nemesis corrupt damages the files in each node's data directory, ${why}. ` +
        `Give the node ${dataDirectoryFlag} DIR among its arguments (after --), DIR relative to its working directory, ` +
        `such as: -- ${dataDirectoryFlag} data`
    })
  )

/**
 * The data directory the node's arguments name (`--data-dir DIR` or
 * `--data-dir=DIR`), relative to the node's working directory, for the
 * corrupt nemesis. Refused unless it is named exactly once and lies inside
 * the working directory: every node has a working directory of its own, so
 * only then does damaging one node's files leave the others' alone. A
 * directory named some other way (an environment variable) cannot be found:
 * refused too, rather than a test that damages nothing and passes.
 */
export const corruptibleDataDirectory = (nodeArguments: ReadonlyArray<string>): Either.Either<string, UsageError> => {
  const named = nodeArguments.flatMap((word, i) =>
    word === dataDirectoryFlag
      ? [nodeArguments[i + 1] ?? ""]
      : word.startsWith(`${dataDirectoryFlag}=`)
      ? [word.slice(dataDirectoryFlag.length + 1)]
      : []
  )
  if (named.length === 0) return refused(`but the node's arguments name none (${dataDirectoryFlag})`)
  if (named.length > 1) return refused(`but the node's arguments name ${named.length} (${named.join(", ")})`)
  const directory = named[0]!
  if (directory === "" || directory.startsWith("-")) return refused(`but ${dataDirectoryFlag} is given no directory`)
  if (posix.isAbsolute(directory)) {
    return refused(`and ${JSON.stringify(directory)} is absolute: every node would share it`)
  }
  const normal = posix.normalize(directory).replace(/\/+$/, "")
  if (normal === "." || normal === ".." || normal.startsWith("../")) {
    return refused(`and ${JSON.stringify(directory)} is not inside the node's working directory`)
  }
  return Either.right(normal)
}
