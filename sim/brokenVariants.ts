import { Effect, Layer } from "effect"
import type { DiskShape } from "../services/Disk.js"
import type { HardState, LogError, LogShape } from "../services/Log.js"
import type { NetworkShape } from "../services/Network.js"
import type { AppendDecision } from "../src/raft/appendEntriesRules.js"
import { productRaftRules, type RaftRulesShape } from "../src/raft/RaftRules.js"
import { votersOf } from "../src/raft/quorum.js"
import { LinKvRules, type LinKvRulesShape, productLinKvRules } from "../src/kv/LinKvRules.js"

const product = productRaftRules
/** The lin-kv application's rules with `broken` in place of the product's. */
const linKvRules = (broken: Partial<LinKvRulesShape>) => Layer.succeed(LinKvRules, { ...productLinKvRules, ...broken })
/** A log tip that every candidate is at least as up to date as. */
const emptyTip = { lastIndex: 0, lastTerm: 0 }
/** A hard state that says its log lost nothing. */
const asIfCaughtUp = (hard: HardState): HardState => ({ ...hard, caughtUp: true })

/**
 * A deliberately broken node, made by swapping one of its services (its
 * disk, its Log, its view of the Network, one of its Raft rules or one of
 * the application's) rather than by any test-only branch in the code.
 */
export interface BrokenVariant {
  /** Wraps the node's simulated disk, at every start, before the Log opens on it. */
  readonly wrapDisk?: (disk: DiskShape) => DiskShape
  /** Wraps the node's Log once it has opened (recovered from its disk), at every start. */
  readonly wrapLog?: (log: LogShape) => Effect.Effect<LogShape, LogError>
  readonly wrapNetwork?: (network: NetworkShape) => NetworkShape
  /** Rules that replace the product's (src/raft/RaftRules.ts). */
  readonly rules?: Partial<RaftRulesShape>
  /** Rules that replace the application's own (src/kv/LinKvRules.ts, src/counter/CounterRules.ts), provided on every node. */
  readonly applicationRules?: Layer.Layer<never>
}

/**
 * Only tests and the simulator's `--broken` option use these: they show that
 * the simulator finds the kind of bug it is there to find, safety and
 * liveness alike. The rule variants are the mistakes Raft implementations
 * are known to make (several are the tutorial code's), each swapped in alone.
 */
export const brokenVariants = {
  /**
   * The term and vote are not durable: a restarted node is back at term 0
   * with no vote, so it can vote a second time in a term it already voted
   * in, and two leaders can be elected in one term.
   */
  "forget-vote": {
    wrapLog: (log) => Effect.as(log.saveHardState({ ...log.hardState(), term: 0, votedFor: null }), log)
  },
  /**
   * Deleting a conflicting suffix also deletes the entry before it, which
   * matched the leader's: the entries appended next land one index too
   * early, and a committed entry can be lost.
   */
  "truncate-one-more": {
    wrapLog: (log) => Effect.succeed({ ...log, replaceFrom: (index, entries) => log.replaceFrom(index - 1, entries) })
  },
  /**
   * fsync returns without making anything durable: the log acknowledges
   * records a crash can still lose (a random prefix of everything written
   * survives), so a restarted node can forget a vote it cast or entries it
   * acknowledged, even committed ones.
   */
  "unsynced-acknowledgement": {
    wrapDisk: (disk) => ({
      ...disk,
      open: (target) => Effect.map(disk.open(target), ({ created, file }) => ({ created, file: { ...file, fsync: Effect.void } }))
    })
  },
  /**
   * A node that found its log damaged (a record failing its checksum, a log
   * file gone) takes the good prefix as if a crash had torn the rest: it
   * neither holds its vote in the latest term it knows nor waits for a
   * leader to catch it up. It may vote again in a term it already voted in,
   * or help elect a leader lacking the entries it lost and had acknowledged.
   */
  "ignore-storage-damage": {
    wrapLog: (log) => {
      const hard = log.hardState()
      return hard.caughtUp ? Effect.succeed(log) : Effect.as(log.saveHardState({ ...hard, votedFor: null, caughtUp: true }), log)
    }
  },
  /**
   * Every AppendEntries a leader sends says that nothing is committed:
   * followers never commit or apply anything, while the leader serves every
   * request (it commits by counting replicas, and followers forward to it).
   * Nothing unsafe and no wrong answer: only the nodes never converge.
   */
  "followers-never-commit": {
    wrapNetwork: (network) => ({
      ...network,
      rpcThen: (dest, body, timeout, onAnswer) =>
        network.rpcThen(dest, body.type === "append_entries" ? { ...body, leader_commit: 0 } : body, timeout, onAnswer)
    })
  },
  /** No node ever grants a vote: no leader is ever elected, and nothing is served. */
  "votes-never-granted": { rules: {
    decidePreVote: () => false,
    decideVote: (hard, ours, request, heardRecently) => ({
      ...product.decideVote(hard, ours, request, heardRecently),
      granted: false
    })
  } },
  /** A new leader appends no no-op: entries of earlier terms, and reads, wait for a client's write. */
  "no-noop-on-election": { rules: { electionEntries: () => [] } },
  /**
   * A node whose storage lost records (wiped, damaged) votes on what its log
   * still holds, before enough members have told it where theirs end, and
   * campaigns before a leader has caught it up: with another node that lacks
   * a committed entry it lost, it can elect a leader without that entry.
   */
  "vote-despite-lost-storage": { rules: {
    decidePreVote: (hard, ours, request, heardRecently) => product.decidePreVote(asIfCaughtUp(hard), ours, request, heardRecently),
    decideVote: (hard, ours, request, heardRecently) => product.decideVote(asIfCaughtUp(hard), ours, request, heardRecently),
    mayCampaign: () => true
  } },
  /** Votes ignore how up to date the candidate's log is: a leader can lack committed entries. */
  "vote-without-up-to-date-check": { rules: {
    decidePreVote: (hard, _ours, request, heardRecently) => product.decidePreVote(hard, emptyTip, request, heardRecently),
    decideVote: (hard, _ours, request, heardRecently) => product.decideVote(hard, emptyTip, request, heardRecently)
  } },
  /** The leader commits whatever a majority stores, even an entry of an earlier term (Raft paper, figure 8). */
  "commit-old-term-by-counting": { rules: {
    advanceCommitIndex: (_log, _term, commitIndex, storedOnMajority) => Math.max(commitIndex, storedOnMajority)
  } },
  /** A follower commits up to the leader's commit index within its whole log, not only what the request confirmed. */
  "follower-commits-past-confirmed": { rules: {
    followerCommitIndex: ({ commitIndex, lastIndex, leaderCommit }) => Math.max(commitIndex, Math.min(leaderCommit, lastIndex))
  } },
  /** A follower deletes everything after prev_log_index on every AppendEntries, as the tutorial's does. */
  "truncate-on-every-append": { rules: {
    reconcile: (log, commitIndex, request): AppendDecision => {
      const decision = product.reconcile(log, commitIndex, request)
      const from = request.prev_log_index + 1
      return decision._tag === "Accept" && from <= log.lastIndex()
        ? { _tag: "Accept", truncateFrom: from, append: request.entries, matchIndex: decision.matchIndex }
        : decision
    }
  } },
  /**
   * A follower installing a leader's snapshot keeps the entries after the
   * snapshot's last index even when its own entry there conflicts: they
   * follow a history the snapshot replaced, and sit in its log as if they
   * followed the leader's.
   */
  "snapshot-keeps-divergent-suffix": {
    wrapLog: (log) =>
      Effect.succeed({
        ...log,
        saveSnapshot: (snapshot) =>
          Effect.suspend(() => {
            // A snapshot older than the log's own changes nothing, as with the product.
            const replaces = snapshot.lastIndex >= log.firstIndex() && log.termAt(snapshot.lastIndex) !== snapshot.lastTerm
            const kept = replaces ? log.slice(snapshot.lastIndex + 1, log.lastIndex()) : []
            return Effect.zipRight(log.saveSnapshot(snapshot), kept.length === 0 ? Effect.void : log.append(kept))
          })
      })
  },
  /** A leader serves a ReadIndex read without a majority confirming it still leads. */
  "readindex-without-confirmation": { rules: { confirmedReadRound: (ownRound) => ownRound } },
  /** A new leader reads at its commit index before it has committed an entry of its term: earlier leaders' commits may lie beyond. */
  "read-before-noop": { rules: { readsAtCommitIndex: () => true } },
  /**
   * In lease mode (`--read-mode lease`), the lease a majority's answers grant
   * the leader lasts CheckQuorum's window (the longest election timeout),
   * from when each answer arrived, with nothing taken off for clock drift:
   * it outlives the followers' vote leases, which count the shortest
   * election timeout from when they took the request in. A leader paused
   * past those finds its lease still holding when it resumes, and answers
   * reads from its state while a newer leader commits writes.
   */
  "lease-outlives-quorum": {
    rules: { leaseExpiresAtMs: (_sentMs, answeredMs, config) => answeredMs + config.electionTimeoutMaxMs }
  },
  /** Followers answer reads from their own state. */
  "followers-serve-reads": { applicationRules: linKvRules({ followersServeReads: true }) },
  /** A leader that hears of a higher term in an answer keeps leading. */
  "no-step-down-on-higher-term": { rules: { deposes: () => false } },
  /** A duplicated forward is appended again, and runs twice. */
  "duplicate-forward-appended-twice": { applicationRules: linKvRules({ refusesDuplicates: false }) },
  /** A snapshot labelled one entry past what the state machine applied: that entry's effect is lost wherever it is restored. */
  "snapshot-beyond-applied": { rules: { snapshotIndex: (applied) => applied + 1 } },
  /**
   * Membership changes (src/raft/configurations.ts), each rule broken alone;
   * the simulator finds them with its "membership" fault.
   * A node acts on a configuration only once it knows it committed: nodes
   * that have not learned the commit yet decide with the old voters while
   * others already use the new ones.
   */
  "configuration-once-committed": {
    rules: { configurationInForce: (configurations, commitIndex) => configurations.committed(commitIndex) }
  },
  /** While joint, decisions count a majority of the incoming voters only. */
  "joint-quorum-new-only": { rules: { votersOf: (config) => votersOf(config.voters) } },
  /** A leader that is no voter of a committed configuration leads on. */
  "removed-leader-keeps-leading": { rules: { configurationStep: (latest, self, state) => {
    const step = product.configurationStep(latest, self, state)
    return step === "step-down" ? null : step
  } } },
  /**
   * The leader leaves a joint configuration as soon as it holds it, before it
   * commits: two changes in flight at once, the joint one and the final one,
   * so the new voters may decide alone while the old ones have not yet
   * heard of the change.
   */
  "leave-joint-uncommitted": {
    rules: {
      configurationStep: (latest, self, state) =>
        state.role === "leader" && latest.config.outgoing !== undefined ? "leave-joint" : product.configurationStep(latest, self, state)
    }
  },
  /** A new leader starts a change before it has committed an entry of its term (Raft's single-server change bug, 2015). */
  "change-before-own-term-commit": { rules: { changeBlocked: (latest, commitIndex) => product.changeBlocked(latest, commitIndex, true) } },
  /** Learners are counted as voters: with two learners, a majority may hold too few of the real voters. */
  "learner-counted-as-voter": {
    rules: {
      votersOf: (config) => votersOf([...config.voters, ...config.learners], config.outgoing && [...config.outgoing, ...config.learners])
    }
  }
} satisfies Record<string, BrokenVariant>

export type BrokenVariantName = keyof typeof brokenVariants
