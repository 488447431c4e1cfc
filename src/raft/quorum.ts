import type { Configuration } from "../../services/Log.js"
import type { NodeId } from "../../services/Network.js"

/**
 * Majority arithmetic over one cluster configuration, as every Raft decision
 * that needs a quorum asks it: the commit index, a ReadIndex round, an
 * election, CheckQuorum, a recovering node's answers. Each takes the voters
 * and what is known of each; a voter with nothing known counts as 0, false
 * or never heard. While the voters change (a joint configuration) a decision
 * needs a majority of the incoming voters and one of the outgoing: this is
 * the one place that knows it.
 */
export interface Voters {
  /** One set of voters, or two while joint: each needs its own majority. */
  readonly groups: ReadonlyArray<ReadonlyArray<NodeId>>
}

/** The voters of one set of ids, or of two while joint. */
export const votersOf = (ids: ReadonlyArray<NodeId>, outgoing?: ReadonlyArray<NodeId>): Voters => ({
  groups: outgoing === undefined ? [[...new Set(ids)]] : [[...new Set(ids)], [...new Set(outgoing)]]
})

/** The voters of a configuration. */
export const configurationVoters = (config: Configuration): Voters => votersOf(config.voters, config.outgoing)

/** Every voter, of either group. */
export const allVoters = (voters: Voters): ReadonlyArray<NodeId> => [...new Set(voters.groups.flat())]

/** How many voters of one group make its majority. */
export const majoritySize = (group: ReadonlyArray<NodeId>): number => Math.floor(group.length / 2) + 1

/**
 * The highest value that a majority of voters has reached (of each group,
 * while joint): applied to match indexes, the last index stored on a
 * majority; to acknowledged read rounds, the latest round a majority confirmed.
 */
export const majorityReached = (voters: Voters, valueOf: (voter: NodeId) => number): number => {
  let reached = Number.POSITIVE_INFINITY
  for (const group of voters.groups) {
    const values = group.map(valueOf).sort((a, b) => b - a)
    reached = Math.min(reached, values[majoritySize(group) - 1] ?? 0)
  }
  return reached === Number.POSITIVE_INFINITY ? 0 : reached
}

export type VoteTally = "won" | "lost" | "pending"

/** One group's election outcome so far. */
const tallyGroup = (group: ReadonlyArray<NodeId>, votes: ReadonlyMap<NodeId, boolean>): VoteTally => {
  let yes = 0
  let no = 0
  for (const voter of group) {
    const vote = votes.get(voter)
    if (vote === true) yes++
    else if (vote === false) no++
  }
  const needed = majoritySize(group)
  if (yes >= needed) return "won"
  return group.length - no < needed ? "lost" : "pending"
}

/**
 * An election's outcome so far, from the answers received (a missing answer
 * is still pending): won once every group has a majority, lost once any group
 * cannot.
 */
export const tallyVotes = (voters: Voters, votes: ReadonlyMap<NodeId, boolean>): VoteTally => {
  const tallies = voters.groups.map((group) => tallyGroup(group, votes))
  if (tallies.includes("lost")) return "lost"
  return tallies.every((tally) => tally === "won") ? "won" : "pending"
}

/** CheckQuorum: whether a majority (of each group) was heard from within `windowMs` before `nowMs`. */
export const majorityInTouch = (
  voters: Voters,
  lastHeardMs: (voter: NodeId) => number,
  nowMs: number,
  windowMs: number
): boolean => voters.groups.every((group) => group.filter((voter) => nowMs - lastHeardMs(voter) <= windowMs).length >= majoritySize(group))

/**
 * Whether the members that answered a node that may have lost its own
 * storage include one that holds every committed entry. A committed entry is
 * on a majority of each group, so on at least a majority less one of the
 * group's other members; any `size - majority + 1` of them include one. (A
 * group of this node alone has no one else to ask.)
 */
export const answersReachEveryCommit = (voters: Voters, self: NodeId, answered: ReadonlySet<NodeId>): boolean =>
  voters.groups.every((group) => {
    const others = group.filter((voter) => voter !== self)
    const needed = Math.min(others.length, group.length - majoritySize(group) + 1)
    return others.filter((voter) => answered.has(voter)).length >= needed
  })
