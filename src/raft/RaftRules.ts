import { Context } from "effect"
import type { Configuration, Entry } from "../../services/Log.js"
import { changeBlocked, type ConfigurationAt, type Configurations, configurationStep } from "./configurations.js"
import { configurationVoters, type Voters } from "./quorum.js"
import { followerCommitIndex, reconcile } from "./appendEntriesRules.js"
import { advanceCommitIndex } from "./leaderRules.js"
import { leaseExpiresAtMs } from "./leaseRules.js"
import { decidePreVote, decideVote, mayCampaign } from "./voteRules.js"

/**
 * The decisions Raft's safety rests on, gathered as one record that the
 * node's fibers consult. The product's rules are the default; the simulator
 * swaps single rules for deliberately broken ones (sim/brokenVariants.ts) to
 * prove that it catches each kind of bug, without a test-only branch in the
 * Raft code.
 */
export interface RaftRulesShape {
  readonly decidePreVote: typeof decidePreVote
  readonly decideVote: typeof decideVote
  readonly mayCampaign: typeof mayCampaign
  readonly reconcile: typeof reconcile
  readonly followerCommitIndex: typeof followerCommitIndex
  readonly advanceCommitIndex: typeof advanceCommitIndex
  /** What a new leader appends at once: a no-op of its term (an entry without a command), so entries of earlier terms commit. */
  readonly electionEntries: (term: number) => ReadonlyArray<Entry>
  /** Whether an answer carrying `answerTerm` deposes a leader of `leaderTerm`. */
  readonly deposes: (answerTerm: number, leaderTerm: number) => boolean
  /**
   * The ReadIndex round a majority has confirmed, given the leader's own
   * latest round and the majority's value (quorum.ts) of acknowledged rounds.
   */
  readonly confirmedReadRound: (ownRound: number, acknowledgedByMajority: number) => number
  /**
   * Whether a leader of `term` may read at its commit index, whose entry is
   * of `commitTerm`: only once it is an entry of the leader's own term
   * (before that, entries committed by earlier leaders may lie beyond it).
   */
  readonly readsAtCommitIndex: (commitTerm: number | undefined, term: number) => boolean
  /** In lease mode, when the lease a follower's answer grants the leader runs out (leaseRules.ts). */
  readonly leaseExpiresAtMs: typeof leaseExpiresAtMs
  /** The last index a snapshot of the state after applying entries up to `applied` stands for: `applied` itself. */
  readonly snapshotIndex: (applied: number) => number
  /** Who votes in a configuration: its voters, and while joint the outgoing ones as a second group (quorum.ts). */
  readonly votersOf: (config: Configuration) => Voters
  /** The configuration a node acts on: the latest in its log, committed or not (Raft thesis 4.1). */
  readonly configurationInForce: (configurations: Configurations, commitIndex: number) => ConfigurationAt
  readonly changeBlocked: typeof changeBlocked
  readonly configurationStep: typeof configurationStep
}

export const productRaftRules: RaftRulesShape = {
  decidePreVote,
  decideVote,
  mayCampaign,
  reconcile,
  followerCommitIndex,
  advanceCommitIndex,
  electionEntries: (term) => [{ term }],
  deposes: (answerTerm, leaderTerm) => answerTerm > leaderTerm,
  confirmedReadRound: (_ownRound, acknowledgedByMajority) => acknowledgedByMajority,
  readsAtCommitIndex: (commitTerm, term) => commitTerm === term,
  leaseExpiresAtMs,
  snapshotIndex: (applied) => applied,
  votersOf: configurationVoters,
  configurationInForce: (configurations) => configurations.latest(),
  changeBlocked,
  configurationStep
}

export class RaftRules extends Context.Reference<RaftRules>()("effect-raft-kv/RaftRules", {
  defaultValue: () => productRaftRules
}) {}
