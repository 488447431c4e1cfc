import { describe, expect, it } from "@effect/vitest"
import type { LogView } from "../../services/Log.js"
import type { AppendEntries, Entry, RequestVote } from "../../src/protocol/raftMessages.js"
import { followerCommitIndex, reconcile } from "../../src/raft/appendEntriesRules.js"
import { logViewOf, memorySnapshot } from "../../layers/MemoryLog.js"
import { advanceCommitIndex, lastIndexOfTerm, nextIndexAfterRejection, rejectionProvesLoss } from "../../src/raft/leaderRules.js"
import {
  answersReachEveryCommit,
  majorityInTouch,
  majorityReached,
  majoritySize,
  tallyVotes,
  votersOf
} from "../../src/raft/quorum.js"
import { decidePreVote, decideVote, mayCampaign } from "../../src/raft/voteRules.js"

/** A log given by the terms of its entries: logOf(1, 1, 2) has entries 1..3. */
const logOf = (...terms: Array<number>): LogView => {
  const entries: Array<Entry> = terms.map((term) => ({ term, command: { type: "write", key: 1, value: term } }))
  return {
    firstIndex: () => 1,
    lastIndex: () => entries.length,
    termAt: (i) => (i === 0 ? 0 : entries[i - 1]?.term),
    entryAt: (i) => entries[i - 1],
    slice: (from, to) => entries.slice(from - 1, to)
  }
}

/** A log whose first `snapshotIndex` entries were compacted (the last of them in `snapshotTerm`), then entries of these terms. */
const compactedLogOf = (snapshotIndex: number, snapshotTerm: number, ...terms: Array<number>): LogView =>
  logViewOf({
    snapshot: memorySnapshot({ lastIndex: snapshotIndex, lastTerm: snapshotTerm }, ["[]"]),
    entries: terms.map(entry),
    hardState: { term: 0, votedFor: null, caughtUp: true }
  })

const entry = (term: number): Entry => ({ term, command: { type: "write", key: 1, value: term } })

const append = (prevIndex: number, prevTerm: number, terms: Array<number>, leaderCommit = 0): AppendEntries => ({
  type: "append_entries",
  term: Math.max(prevTerm, ...terms, 1),
  leader_id: "n1",
  prev_log_index: prevIndex,
  prev_log_term: prevTerm,
  entries: terms.map(entry),
  leader_commit: leaderCommit
})

describe("AppendEntries on a follower (log matching)", () => {
  it("a stale, reordered request leaves later matching entries in place", () => {
    // The follower already has 1..4; a delayed request carries only entries 2..3.
    const decision = reconcile(logOf(1, 1, 1, 1), 0, append(1, 1, [1, 1]))
    expect(decision).toEqual({ _tag: "Accept", truncateFrom: null, append: [], matchIndex: 3 })
  })

  it("deletes from the first conflicting entry only, and appends the rest", () => {
    const decision = reconcile(logOf(1, 1, 2, 2), 1, append(1, 1, [1, 3, 3]))
    expect(decision).toEqual({ _tag: "Accept", truncateFrom: 3, append: [entry(3), entry(3)], matchIndex: 4 })
  })

  it("appends only the entries it does not have", () => {
    const decision = reconcile(logOf(1, 1), 0, append(1, 1, [1, 2, 2]))
    expect(decision).toEqual({ _tag: "Accept", truncateFrom: null, append: [entry(2), entry(2)], matchIndex: 4 })
  })

  it("refuses to delete a committed entry, loudly", () => {
    expect(reconcile(logOf(1, 1, 2), 3, append(1, 1, [1, 3]))).toEqual({ _tag: "CommittedConflict", index: 3 })
  })

  it("rejects a gap with the follower's next index as hint", () => {
    expect(reconcile(logOf(1, 1), 0, append(5, 2, []))).toEqual({ _tag: "Mismatch", conflictIndex: 3 })
  })

  it("rejects a term mismatch with the conflicting term and its first index (above the commit index)", () => {
    expect(reconcile(logOf(1, 2, 2, 2), 0, append(4, 3, []))).toEqual({ _tag: "Mismatch", conflictIndex: 2, conflictTerm: 2 })
    expect(reconcile(logOf(1, 2, 2, 2), 2, append(4, 3, []))).toEqual({ _tag: "Mismatch", conflictIndex: 3, conflictTerm: 2 })
  })

  it("commits no further than the last entry this request confirmed", () => {
    // The follower holds 5 entries but the request only confirmed up to 2; the leader has committed 5.
    const decision = reconcile(logOf(1, 1, 1, 1, 1), 0, append(1, 1, [1]))
    expect(decision._tag === "Accept" && decision.matchIndex).toBe(2)
    expect(followerCommitIndex({ commitIndex: 0, leaderCommit: 5, matchIndex: 2, lastIndex: 5 })).toBe(2)
    expect(followerCommitIndex({ commitIndex: 4, leaderCommit: 5, matchIndex: 2, lastIndex: 5 })).toBe(4)
    expect(followerCommitIndex({ commitIndex: 0, leaderCommit: 1, matchIndex: 2, lastIndex: 5 })).toBe(1)
  })

  it("a request reaching back into the snapshot is taken from the snapshot on: those entries were committed", () => {
    // Entries 1..3 compacted (the last in term 1); entries 4 and 5 held, in term 2.
    const log = compactedLogOf(3, 1, 2, 2)
    expect(reconcile(log, 3, append(1, 1, [1, 1, 2, 2, 3]))).toEqual({
      _tag: "Accept",
      truncateFrom: null,
      append: [entry(3)],
      matchIndex: 6
    })
    // Wholly inside the snapshot: nothing to do, and it confirms what it sent.
    expect(reconcile(log, 3, append(0, 0, [1, 1]))).toEqual({ _tag: "Accept", truncateFrom: null, append: [], matchIndex: 2 })
    expect(reconcile(log, 3, append(3, 1, [3]))).toEqual({ _tag: "Accept", truncateFrom: 4, append: [entry(3)], matchIndex: 4 })
  })
})

describe("a log that starts with a snapshot", () => {
  it("knows the snapshot's last term, nothing before it, and searches terms from there", () => {
    const log = compactedLogOf(3, 1, 2, 2)
    expect([log.firstIndex(), log.lastIndex()]).toEqual([4, 5])
    expect([log.termAt(2), log.termAt(3), log.termAt(4), log.termAt(6)]).toEqual([undefined, 1, 2, undefined])
    expect(log.slice(1, 10)).toEqual([entry(2), entry(2)])
    expect(lastIndexOfTerm(log, 1)).toBe(3)
    expect(lastIndexOfTerm(log, 2)).toBe(5)
    expect(lastIndexOfTerm(log, 0)).toBeUndefined()
    // A follower whose log ends in term 1 resumes after the snapshot: the leader then sends it the snapshot again.
    expect(nextIndexAfterRejection(log, 0, { conflictIndex: 2, conflictTerm: 1 })).toBe(4)
    expect(nextIndexAfterRejection(log, 0, { conflictIndex: 2 })).toBe(2)
  })
})

/** The last index a majority of these voters stores (as the leader computes it from its view). */
const storedOnMajority = (matchIndexes: ReadonlyArray<number>) =>
  majorityReached(votersOf(matchIndexes.map((_, i) => `n${i + 1}`)), (voter) => matchIndexes[Number(voter.slice(1)) - 1]!)

describe("the leader's rules", () => {
  it("commits the highest index stored on a majority", () => {
    expect(advanceCommitIndex(logOf(1, 2, 2, 2, 2), 2, 0, storedOnMajority([5, 4, 1]))).toBe(4)
    expect(advanceCommitIndex(logOf(1, 2, 2, 2, 2), 2, 0, storedOnMajority([5, 4, 3, 1, 0]))).toBe(3)
  })

  it("never commits an entry of an earlier term by counting replicas", () => {
    // Entries 2..3 are from term 2, replicated everywhere, but the leader is in term 3.
    expect(advanceCommitIndex(logOf(1, 2, 2, 3), 3, 1, storedOnMajority([4, 3, 3]))).toBe(1)
    // Once an entry of its own term is on a majority, the earlier ones commit with it.
    expect(advanceCommitIndex(logOf(1, 2, 2, 3), 3, 1, storedOnMajority([4, 4, 3]))).toBe(4)
  })

  it("never moves the commit index back", () => {
    expect(advanceCommitIndex(logOf(1, 1, 1), 1, 3, storedOnMajority([3, 1, 1]))).toBe(3)
  })

  it("jumps over a whole conflicting term with the follower's hint", () => {
    const leaderLog = logOf(1, 1, 1, 4, 4, 5, 5, 6, 6, 6)
    expect(lastIndexOfTerm(leaderLog, 4)).toBe(5)
    expect(lastIndexOfTerm(leaderLog, 3)).toBeUndefined()
    // Follower had term 4 at the probe point: resume just after the leader's last term-4 entry.
    expect(nextIndexAfterRejection(leaderLog, 0, { conflictIndex: 4, conflictTerm: 4 })).toBe(6)
    // Follower's term 3 is unknown to the leader: resume at the follower's first term-3 index.
    expect(nextIndexAfterRejection(leaderLog, 0, { conflictIndex: 4, conflictTerm: 3 })).toBe(4)
    // A short follower log: resume at its end.
    expect(nextIndexAfterRejection(leaderLog, 0, { conflictIndex: 2 })).toBe(2)
    // Never at or below what the follower is known to hold.
    expect(nextIndexAfterRejection(leaderLog, 3, { conflictIndex: 2 })).toBe(4)
  })

  it("a rejection proves lost entries only when sent after the confirmation it contradicts", () => {
    // The follower confirmed index 8 when 5 requests had been sent.
    const progress = { matchIndex: 8, sentBeforeMatch: 5 }
    // Request 6 (sent after) with prev 9: its log now ends at 3, before what it confirmed.
    expect(rejectionProvesLoss(progress, 6, 9, { conflictIndex: 4 })).toBe(true)
    // Request 6 with prev 7: it no longer holds an entry it confirmed.
    expect(rejectionProvesLoss(progress, 6, 7, { conflictIndex: 7, conflictTerm: 2 })).toBe(true)
    // Request 4 was sent before the confirmation: its answer may just have been overtaken.
    expect(rejectionProvesLoss(progress, 4, 9, { conflictIndex: 4 })).toBe(false)
    // A conflicting term past the match index is ordinary divergence, not loss.
    expect(rejectionProvesLoss(progress, 6, 9, { conflictIndex: 6, conflictTerm: 2 })).toBe(false)
    // Its log ends past the match index: nothing confirmed is missing.
    expect(rejectionProvesLoss(progress, 6, 12, { conflictIndex: 10 })).toBe(false)
    expect(rejectionProvesLoss({ matchIndex: 0, sentBeforeMatch: 0 }, 1, 3, { conflictIndex: 1 })).toBe(false)
  })
})

const voteRequest = (term: number, lastIndex: number, lastTerm: number, preVote = false): RequestVote => ({
  type: "request_vote",
  term,
  candidate_id: "n2",
  last_log_index: lastIndex,
  last_log_term: lastTerm,
  pre_vote: preVote
})

describe("votes", () => {
  const tip = { lastIndex: 5, lastTerm: 3 }
  const hard = (term: number, votedFor: string | null, caughtUp = true) => ({ term, votedFor, caughtUp })

  it("grants a vote to an up-to-date candidate and records it", () => {
    const decision = decideVote(hard(3, null), tip, voteRequest(4, 5, 3), false)
    expect(decision).toEqual({ granted: true, hardState: hard(4, "n2") })
  })

  it("grants the same candidate again (a repeated request gets the same answer)", () => {
    expect(decideVote(hard(4, "n2"), tip, voteRequest(4, 5, 3), false).granted).toBe(true)
  })

  it("refuses a second candidate in the same term", () => {
    const decision = decideVote(hard(4, "n3"), tip, voteRequest(4, 9, 9), false)
    expect(decision).toEqual({ granted: false, hardState: hard(4, "n3") })
  })

  it("refuses a candidate whose log is behind, but still adopts its higher term", () => {
    expect(decideVote(hard(3, "n1"), tip, voteRequest(5, 9, 2), false)).toEqual({
      granted: false,
      hardState: hard(5, null)
    })
    expect(decideVote(hard(3, null), tip, voteRequest(5, 4, 3), false).granted).toBe(false)
  })

  it("refuses a candidate from an older term", () => {
    expect(decideVote(hard(6, null), tip, voteRequest(5, 9, 9), false).granted).toBe(false)
  })

  it("ignores a higher term altogether while a live leader was heard within the minimum election timeout", () => {
    const current = hard(3, "n3")
    expect(decideVote(current, tip, voteRequest(4, 9, 9), true)).toEqual({ granted: false, hardState: current })
    // The same candidate's term in the current term is still answered as usual.
    expect(decideVote(hard(4, "n2"), tip, voteRequest(4, 9, 9), true).granted).toBe(true)
  })

  it("grants a candidate the leader handed over to inside the vote lease, still only with an up-to-date log", () => {
    const transfer = (lastIndex: number, lastTerm: number) => ({ ...voteRequest(4, lastIndex, lastTerm), transfer: true })
    expect(decideVote(hard(3, "n3"), tip, transfer(9, 9), true)).toEqual({ granted: true, hardState: hard(4, "n2") })
    expect(decideVote(hard(3, "n3"), tip, transfer(4, 3), true)).toEqual({ granted: false, hardState: hard(4, null) })
  })

  it("a node not yet caught up backs no candidate, not even one with an empty log", () => {
    const lost = hard(0, null, false)
    const empty = { lastIndex: 0, lastTerm: 0 }
    // A wiped node's empty log is behind nobody: the up-to-date check alone would back a stale candidate.
    expect(decideVote(lost, empty, voteRequest(4, 5, 3), false)).toEqual({ granted: false, hardState: hard(4, null, false) })
    expect(decidePreVote(lost, empty, voteRequest(4, 5, 3, true), false)).toBe(false)
    // A candidate with an empty log may lack entries this node and others once held: no vote either.
    expect(decideVote(lost, empty, voteRequest(1, 0, 0), false)).toEqual({ granted: false, hardState: hard(1, null, false) })
    expect(decidePreVote(lost, empty, voteRequest(1, 0, 0, true), false)).toBe(false)
    // Caught up, the same empty node backs the same candidate.
    expect(decideVote(hard(0, null), empty, voteRequest(1, 0, 0), false).granted).toBe(true)
  })

  it("a node not yet caught up never campaigns", () => {
    expect(mayCampaign(hard(0, null, false))).toBe(false)
    expect(mayCampaign(hard(2, null, false))).toBe(false)
    expect(mayCampaign(hard(2, null, true))).toBe(true)
  })

  it("PreVote: yes only for a higher term, an up-to-date log, and no live leader", () => {
    const current = hard(3, null)
    expect(decidePreVote(current, tip, voteRequest(4, 5, 3, true), false)).toBe(true)
    expect(decidePreVote(current, tip, voteRequest(4, 5, 3, true), true)).toBe(false)
    expect(decidePreVote(current, tip, voteRequest(3, 5, 3, true), false)).toBe(false)
    expect(decidePreVote(current, tip, voteRequest(4, 4, 3, true), false)).toBe(false)
  })
})

describe("quorums (one configuration of voters)", () => {
  const voters = (n: number) => votersOf(Array.from({ length: n }, (_, i) => `n${i + 1}`))
  const valuesOf = (values: ReadonlyArray<number>) => (voter: string) => values[Number(voter.slice(1)) - 1] ?? 0

  it("a majority is more than half of the voters", () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => majoritySize(voters(n).groups[0]!))).toEqual([1, 2, 2, 3, 3, 4, 4])
    expect(majoritySize(votersOf(["n1", "n1", "n2"]).groups[0]!)).toBe(2)
  })

  it("the value a majority reached: match indexes for commit, acknowledged rounds for ReadIndex", () => {
    const table: ReadonlyArray<readonly [ReadonlyArray<number>, number]> = [
      [[7], 7],
      [[5, 4, 1], 4],
      [[5, 3, 4, 0, 1], 3],
      [[6, 5, 4, 0], 4],
      [[3, 1], 1],
      [[9, 0, 0], 0]
    ]
    for (const [values, expected] of table) {
      expect(majorityReached(voters(values.length), valuesOf(values))).toBe(expected)
    }
  })

  it("an election is won by a majority of yes, lost once a majority can no longer say yes, pending until then", () => {
    const tally = (n: number, answers: Record<string, boolean>) => tallyVotes(voters(n), new Map(Object.entries(answers)))
    expect(tally(1, { n1: true })).toBe("won")
    expect(tally(3, { n1: true })).toBe("pending")
    expect(tally(3, { n1: true, n2: true })).toBe("won")
    expect(tally(3, { n1: true, n2: false })).toBe("pending")
    expect(tally(3, { n1: true, n2: false, n3: false })).toBe("lost")
    expect(tally(4, { n1: true, n2: true })).toBe("pending")
    expect(tally(4, { n1: true, n2: false, n3: false })).toBe("lost")
    expect(tally(5, { n1: true, n2: true, n3: true })).toBe("won")
    // Votes from outside the configuration do not count.
    expect(tally(3, { n1: true, c1: true })).toBe("pending")
  })

  it("CheckQuorum: in touch when a majority was heard within the window", () => {
    const heard = (times: ReadonlyArray<number>) => valuesOf(times)
    expect(majorityInTouch(voters(3), heard([1000, 700, 0]), 1000, 400)).toBe(true)
    expect(majorityInTouch(voters(3), heard([1000, 500, 0]), 1000, 400)).toBe(false)
    expect(majorityInTouch(voters(5), heard([1000, 900, 800, 0, 0]), 1000, 400)).toBe(true)
    expect(majorityInTouch(voters(5), heard([1000, 900, 0, 0, 0]), 1000, 400)).toBe(false)
    expect(majorityInTouch(voters(1), heard([1000]), 1000, 400)).toBe(true)
  })
})

describe("quorums while the voters change (a joint configuration)", () => {
  // Leaving n1 n2 n3 for n3 n4 n5: each decision needs a majority of both.
  const joint = votersOf(["n3", "n4", "n5"], ["n1", "n2", "n3"])
  const values = (table: Record<string, number>) => (voter: string) => table[voter] ?? 0

  it("commits only what a majority of each group stores", () => {
    // A majority of the new voters (n3 n4) holds 9, but of the old only n3: 9 is not committed.
    expect(majorityReached(joint, values({ n3: 9, n4: 9, n1: 2, n2: 2, n5: 0 }))).toBe(2)
    expect(majorityReached(joint, values({ n3: 9, n4: 9, n1: 9, n2: 2, n5: 0 }))).toBe(9)
    // The new voters alone would have committed 9 in the first case: the joint rule is what stops it.
    expect(majorityReached(votersOf(["n3", "n4", "n5"]), values({ n3: 9, n4: 9, n1: 2, n2: 2, n5: 0 }))).toBe(9)
  })

  it("an election needs a majority of each group; a lost majority in either loses it", () => {
    const tally = (answers: Record<string, boolean>) => tallyVotes(joint, new Map(Object.entries(answers)))
    expect(tally({ n3: true, n4: true, n5: true })).toBe("pending")
    expect(tally({ n3: true, n4: true, n1: true })).toBe("won")
    expect(tally({ n3: true, n4: true, n1: false, n2: false })).toBe("lost")
    expect(tally({ n1: true, n2: true, n3: true, n4: false, n5: false })).toBe("lost")
  })

  it("CheckQuorum: in touch only with a majority of each group", () => {
    const heard = values({ n3: 1000, n4: 1000, n5: 1000 })
    expect(majorityInTouch(joint, heard, 1000, 400)).toBe(false)
    expect(majorityInTouch(joint, values({ n3: 1000, n4: 1000, n2: 900 }), 1000, 400)).toBe(true)
  })

  it("a node that lost its storage needs answers that reach a holder of every commit in each group", () => {
    const answered = (...ids: ReadonlyArray<string>) => new Set(ids)
    // One group of three: both others (3 - 2 + 1 = 2), whichever node asks.
    expect(answersReachEveryCommit(votersOf(["n1", "n2", "n3"]), "n1", answered("n2"))).toBe(false)
    expect(answersReachEveryCommit(votersOf(["n1", "n2", "n3"]), "n1", answered("n2", "n3"))).toBe(true)
    // Five: any three of the other four.
    expect(answersReachEveryCommit(voters5, "n1", answered("n2", "n3", "n4"))).toBe(true)
    expect(answersReachEveryCommit(voters5, "n1", answered("n2", "n3"))).toBe(false)
    // Joint, asked by n3: two answers from each group, itself not among them.
    expect(answersReachEveryCommit(joint, "n3", answered("n4", "n5", "n1"))).toBe(false)
    expect(answersReachEveryCommit(joint, "n3", answered("n4", "n5", "n1", "n2"))).toBe(true)
  })
})

const voters5 = votersOf(["n1", "n2", "n3", "n4", "n5"])
