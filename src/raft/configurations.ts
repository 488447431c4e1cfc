import { Effect } from "effect"
import type { Configuration, Entry, LogShape } from "../../services/Log.js"
import type { NodeId } from "../../services/Network.js"
import { configurationVoters, type Voters } from "./quorum.js"
import type { RaftState } from "./RaftState.js"

/** The configuration a cluster starts with: every node `init` named is a voter. */
export const initialConfiguration = (nodeIds: ReadonlyArray<NodeId>): Configuration => ({ voters: [...nodeIds], learners: [] })

/** Whether the voters are changing: decisions then need a majority of the old voters and one of the new. */
export const isJoint = (config: Configuration): boolean => config.outgoing !== undefined

/** Whether `id` votes (in either group, while joint). */
export const isVoter = (config: Configuration, id: NodeId): boolean =>
  config.voters.includes(id) || (config.outgoing?.includes(id) ?? false)

/** Every member: the voters of either group and the learners. */
export const membersOf = (config: Configuration): ReadonlySet<NodeId> =>
  new Set([...config.voters, ...(config.outgoing ?? []), ...config.learners])

/** A configuration as the logs and errors name it. */
export const describeConfiguration = (config: Configuration): string =>
  `voters ${config.voters.join(", ") || "none"}` +
  (config.outgoing === undefined ? "" : ` (joint with ${config.outgoing.join(", ")})`) +
  `; learners ${config.learners.join(", ") || "none"}`

/**
 * A configuration where the log holds it, with what every decision asks of
 * it worked out once: its voters (quorum.ts) and its members.
 */
export interface ConfigurationAt {
  /** The entry that holds it; the snapshot's last index (or 0) for the one a snapshot (or `init`) gave. */
  readonly index: number
  readonly config: Configuration
  readonly voters: Voters
  readonly members: ReadonlySet<NodeId>
}

const configurationAt = (index: number, config: Configuration, votersOf: (config: Configuration) => Voters): ConfigurationAt => ({
  index,
  config,
  voters: votersOf(config),
  members: membersOf(config)
})

/**
 * The configurations the log holds. A node uses the latest, committed or
 * not (Raft thesis 4.1): a leader's change takes effect as soon as it is
 * appended, and a follower's as soon as it is received; one overwritten by a
 * new leader's entries gives way to the one before it.
 */
export interface Configurations {
  /** The latest configuration in the log. */
  readonly latest: () => ConfigurationAt
  /** The latest at or before `commitIndex`: the latest committed one, for a node that knows that commit index. */
  readonly committed: (commitIndex: number) => ConfigurationAt
  /** The one before the latest (the latest itself when there is none): whom a change leaves behind. */
  readonly previous: () => ConfigurationAt
  /** The configuration in force at `index`: what a snapshot taken there keeps. */
  readonly at: (index: number) => Configuration
}

/**
 * Watches every change to `log` so the configurations stay those its entries
 * and snapshot hold: returns the log to use instead (the same log, each
 * change noted as it is made) and the configurations. `initial` stands where
 * neither an entry nor the snapshot holds one; `votersOf` says who votes in
 * each (quorum.ts, unless a broken variant's rule stands in for it).
 */
export const trackConfigurations = (
  log: LogShape,
  initial: Configuration,
  votersOf: (config: Configuration) => Voters = configurationVoters
): { readonly log: LogShape; readonly configurations: Configurations } => {
  // In log order: the first is the snapshot's (or the initial one), then one per entry that holds one.
  let known: Array<ConfigurationAt> = []
  const rebuild = () => {
    const snapshot = log.snapshot()
    known = [configurationAt(snapshot?.lastIndex ?? 0, snapshot?.config ?? initial, votersOf)]
    noteEntries(log.firstIndex(), log.slice(log.firstIndex(), log.lastIndex()))
  }
  const noteEntries = (firstIndex: number, entries: ReadonlyArray<Entry>) => {
    for (let i = 0; i < entries.length; i++) {
      const config = entries[i]!.config
      if (config !== undefined) known.push(configurationAt(firstIndex + i, config, votersOf))
    }
  }
  rebuild()
  const upTo = (index: number): ConfigurationAt => {
    for (let i = known.length - 1; i > 0; i--) if (known[i]!.index <= index) return known[i]!
    return known[0]!
  }
  const tracked: LogShape = {
    ...log,
    append: (entries) =>
      Effect.suspend(() => {
        const firstIndex = log.lastIndex() + 1
        return Effect.map(log.append(entries), () => noteEntries(firstIndex, entries))
      }),
    replaceFrom: (index, entries) =>
      Effect.map(log.replaceFrom(index, entries), () => {
        known = known.filter((at, position) => position === 0 || at.index < index)
        noteEntries(index, entries)
      }),
    // Rare (a snapshot every many entries): read the configurations again from what the log keeps.
    saveSnapshot: (snapshot) => Effect.map(log.saveSnapshot(snapshot), rebuild)
  }
  return {
    log: tracked,
    configurations: {
      latest: () => known[known.length - 1]!,
      committed: upTo,
      previous: () => known[Math.max(0, known.length - 2)]!,
      at: (index) => upTo(index).config
    }
  }
}

/**
 * What a leader does next about its configuration once an entry commits:
 * leave a committed joint configuration, or step down from a committed one
 * it no longer votes in; null when neither.
 */
export const configurationStep = (latest: ConfigurationAt, self: NodeId, state: RaftState): "leave-joint" | "step-down" | null => {
  if (state.role !== "leader" || latest.index > state.commitIndex) return null
  if (isJoint(latest.config)) return "leave-joint"
  return isVoter(latest.config, self) ? null : "step-down"
}

/**
 * Why a leader may not start a membership change now, or undefined: one
 * change at a time (the latest configuration must be committed, and not
 * joint), and not before the leader has committed an entry of its own term
 * (a change an earlier leader left in the log may still be in flight; Raft's
 * single-server change bug, 2015).
 */
export const changeBlocked = (latest: ConfigurationAt, commitIndex: number, ownTermCommitted: boolean): string | undefined => {
  if (!ownTermCommitted) return "the leader has not yet committed an entry of its term; try again"
  if (latest.index > commitIndex || isJoint(latest.config)) {
    return `a configuration change is in progress (${describeConfiguration(latest.config)}, index ${latest.index})`
  }
  return undefined
}
