import type { AppendDecision } from "../src/raft/appendEntriesRules.js"
import { productRaftRules, type RaftRulesShape } from "../src/raft/RaftRules.js"

const product = productRaftRules
/** A log tip that every candidate is at least as up to date as. */
const emptyTip = { lastIndex: 0, lastTerm: 0 }

/**
 * Deliberately broken Raft rules, each one of the mistakes Raft
 * implementations are known to make (several are the tutorial code's), and
 * each swapped in alone through the RaftRules service. The simulator must
 * catch every one within its seed budget while the product passes the same
 * seeds: a variant it cannot catch is a blind spot of the judge.
 */
export const brokenRules = {
  /** No node ever grants a vote: no leader is ever elected, and nothing is served. */
  "votes-never-granted": {
    decidePreVote: () => false,
    decideVote: (hard, ours, request, heardRecently) => ({
      ...product.decideVote(hard, ours, request, heardRecently),
      granted: false
    })
  },
  /** A new leader appends no no-op: entries of earlier terms, and reads, wait for a client's write. */
  "no-noop-on-election": { electionEntries: () => [] },
  /** Votes ignore how up to date the candidate's log is: a leader can lack committed entries. */
  "vote-without-up-to-date-check": {
    decidePreVote: (hard, _ours, request, heardRecently) => product.decidePreVote(hard, emptyTip, request, heardRecently),
    decideVote: (hard, _ours, request, heardRecently) => product.decideVote(hard, emptyTip, request, heardRecently)
  },
  /** The leader commits whatever a majority stores, even an entry of an earlier term (Raft paper, figure 8). */
  "commit-old-term-by-counting": {
    advanceCommitIndex: (_log, _term, commitIndex, storedOnMajority) => Math.max(commitIndex, storedOnMajority)
  },
  /** A follower commits up to the leader's commit index within its whole log, not only what the request confirmed. */
  "follower-commits-past-confirmed": {
    followerCommitIndex: ({ commitIndex, lastIndex, leaderCommit }) => Math.max(commitIndex, Math.min(leaderCommit, lastIndex))
  },
  /** A follower deletes everything after prev_log_index on every AppendEntries, as the tutorial's does. */
  "truncate-on-every-append": {
    reconcile: (log, commitIndex, request): AppendDecision => {
      const decision = product.reconcile(log, commitIndex, request)
      const from = request.prev_log_index + 1
      return decision._tag === "Accept" && from <= log.lastIndex()
        ? { _tag: "Accept", truncateFrom: from, append: request.entries, matchIndex: decision.matchIndex }
        : decision
    }
  },
  /** A leader serves a ReadIndex read without a majority confirming it still leads. */
  "readindex-without-confirmation": { confirmedReadRound: (ownRound) => ownRound },
  /** Followers answer reads from their own state. */
  "followers-serve-reads": { followersServeReads: true },
  /** A leader that hears of a higher term in an answer keeps leading. */
  "no-step-down-on-higher-term": { deposes: () => false },
  /** A duplicated forward is appended again, and runs twice. */
  "duplicate-forward-appended-twice": { refusesDuplicates: false }
} satisfies Record<string, Partial<RaftRulesShape>>

export type BrokenRule = keyof typeof brokenRules

export const raftRulesWith = (broken: BrokenRule): RaftRulesShape => ({ ...product, ...brokenRules[broken] })
