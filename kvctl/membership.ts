import { Either, Option } from "effect"

/** The voters and learners `kvctl reconfigure` asks for: the body of POST /reconfigure. */
export interface MembershipTarget {
  readonly voters: ReadonlyArray<string>
  readonly learners: ReadonlyArray<string>
}

/** A node id as given (`member-add NODE`), trimmed, or what is wrong with it. */
export const parseNodeId = (text: string): Either.Either<string, string> =>
  text.trim() === "" ? Either.left("NODE is empty: expected a node id, such as n3") : Either.right(text.trim())

/** Node ids separated by commas (`n0,n1,n2`, spaces around them dropped; nothing at all is none), or what is wrong. */
export const parseNodeIds = (text: string): Either.Either<ReadonlyArray<string>, string> => {
  if (text.trim() === "") return Either.right([])
  const ids = text.split(",").map((id) => id.trim())
  if (ids.includes("")) return Either.left("an id is empty: expected node ids separated by commas, such as n0,n1,n2")
  const repeated = ids.find((id, i) => ids.indexOf(id) !== i)
  return repeated === undefined ? Either.right(ids) : Either.left(`${repeated} is named twice`)
}

/**
 * `--voters` and `--learners` as the configuration to ask for, or why it
 * cannot be asked: at least one voter, no id empty or named twice, none both
 * a voter and a learner. (Whether each id is one of the cluster's nodes is
 * the node's to say.)
 */
export const reconfigureTarget = (voters: string, learners: Option.Option<string>): Either.Either<MembershipTarget, string> => {
  const listOf = (flag: string, text: string) =>
    Either.mapLeft(parseNodeIds(text), (problem) => `${flag} ${JSON.stringify(text)}: ${problem}`)
  return Either.gen(function*() {
    const voterIds = yield* listOf("--voters", voters)
    if (voterIds.length === 0) return yield* Either.left(`--voters ${JSON.stringify(voters)}: a cluster needs at least one voter`)
    const learnerIds = Option.isSome(learners) ? yield* listOf("--learners", learners.value) : []
    const both = voterIds.find((id) => learnerIds.includes(id))
    if (both !== undefined) return yield* Either.left(`${both} is named in both --voters and --learners: a node is one or the other`)
    return { voters: voterIds, learners: learnerIds }
  })
}
