import type { NodeId } from "../../services/Network.js"

/**
 * Majority arithmetic over one cluster configuration, as every Raft decision
 * that needs a quorum asks it: the commit index, a ReadIndex round, an
 * election, CheckQuorum. Each takes the voters (this node among them) and
 * what is known of each; a voter with nothing known counts as 0, false or
 * never heard. Membership changes will change the voters here and nowhere else.
 */
export interface Voters {
  readonly ids: ReadonlyArray<NodeId>
}

export const votersOf = (ids: ReadonlyArray<NodeId>): Voters => ({ ids: [...new Set(ids)] })

/** How many voters make a majority. */
export const majoritySize = (voters: Voters): number => Math.floor(voters.ids.length / 2) + 1

/**
 * The highest value that a majority of voters has reached: applied to match
 * indexes, the last index stored on a majority; to acknowledged read rounds,
 * the latest round a majority confirmed.
 */
export const majorityReached = (voters: Voters, valueOf: (voter: NodeId) => number): number => {
  const values = voters.ids.map(valueOf).sort((a, b) => b - a)
  return values[majoritySize(voters) - 1] ?? 0
}

export type VoteTally = "won" | "lost" | "pending"

/** An election's outcome so far, from the answers received (a missing answer is still pending). */
export const tallyVotes = (voters: Voters, votes: ReadonlyMap<NodeId, boolean>): VoteTally => {
  let yes = 0
  let no = 0
  for (const voter of voters.ids) {
    const vote = votes.get(voter)
    if (vote === true) yes++
    else if (vote === false) no++
  }
  const needed = majoritySize(voters)
  if (yes >= needed) return "won"
  return voters.ids.length - no < needed ? "lost" : "pending"
}

/** CheckQuorum: whether a majority was heard from within `windowMs` before `nowMs`. */
export const majorityInTouch = (
  voters: Voters,
  lastHeardMs: (voter: NodeId) => number,
  nowMs: number,
  windowMs: number
): boolean => voters.ids.filter((voter) => nowMs - lastHeardMs(voter) <= windowMs).length >= majoritySize(voters)

/**
 * How many of the other voters a node that may have lost its own storage must
 * hear from so that one of them holds every committed entry: a committed
 * entry is on a majority, so on at least a majority less one of the others,
 * and any this many others include one of those.
 */
export const othersReachingEveryCommit = (voters: Voters): number => voters.ids.length - majoritySize(voters) + 1
