import { describe, expect, it } from "vitest"
import * as Progress from "../../src/raft/PeerProgress.js"

const snapshot = { lastIndex: 40, lastTerm: 2, data: "[]" }
const fresh = Progress.newPeerProgress(11, 1000)
const replicating = Progress.accepted(fresh, 10)
const sending = Progress.sendSnapshot(fresh, snapshot)

describe("a follower's progress, as the leader tracks it", () => {
  it("starts probing from just after the leader's log, heard from at the election", () => {
    expect(fresh).toMatchObject({ mode: { _tag: "Probe" }, nextIndex: 11, matchIndex: 0, inflight: 0, lastContactMs: 1000 })
  })

  it.each([
    ["probe", fresh, 1],
    ["replicate", replicating, 4],
    ["snapshot", sending, 1]
  ] as const)("in %s mode, %#: the window is %i", (_mode, progress, window) => {
    expect(Progress.window(progress, 4)).toBe(window)
  })

  it.each([
    // mode, entries carried, next index after
    ["probe", fresh, 3, 11],
    ["replicate", replicating, 3, 14],
    ["snapshot", sending, 0, 11]
  ] as const)("a request sent in %s mode moves the next index only when pipelined", (_mode, progress, entries, nextIndex) => {
    const after = Progress.sent(progress, 2000, 7, entries)
    expect(after).toMatchObject({ nextIndex, inflight: progress.inflight + 1, sentCount: progress.sentCount + 1, lastSentMs: 2000,
      sentRound: 7 })
  })

  it("an answer releases a request and acknowledges the leader, never moving the acknowledged round back", () => {
    const answered = Progress.heardFrom(Progress.released(Progress.sent(fresh, 2000, 7, 0)), 2100, 5, 2000)
    expect(answered).toMatchObject({ inflight: 0, lastContactMs: 2100, ackedRound: 5 })
    expect(Progress.heardFrom(answered, 2200, 3, 1900).ackedRound).toBe(5)
    expect(Progress.released(fresh).inflight).toBe(0)
  })

  it("the lease counts from when the answered request was sent, and a late answer to an older request never moves it back", () => {
    expect(fresh.ackedSentMs).toBe(Number.NEGATIVE_INFINITY)
    const answered = Progress.heardFrom(fresh, 2100, 0, 2000)
    expect(answered).toMatchObject({ lastContactMs: 2100, ackedSentMs: 2000 })
    // An answer that arrives later, to a request sent before the one already answered (reordered on the way).
    expect(Progress.heardFrom(answered, 2300, 0, 1500)).toMatchObject({ lastContactMs: 2300, ackedSentMs: 2000 })
  })

  it("success: the match index rises (never falls), requests are pipelined, and later requests are known to follow it", () => {
    const sentTwice = Progress.sent(Progress.sent(fresh, 1, 0, 0), 2, 0, 0)
    const after = Progress.accepted(sentTwice, 12)
    expect(after).toMatchObject({ mode: { _tag: "Replicate" }, matchIndex: 12, nextIndex: 13, sentBeforeMatch: 2 })
    expect(Progress.accepted(after, 9)).toMatchObject({ matchIndex: 12, nextIndex: 13, sentBeforeMatch: 2 })
  })

  it.each([
    ["a rejection", Progress.rejected(replicating, 7), { mode: { _tag: "Probe" }, nextIndex: 7, matchIndex: 10 }],
    ["a lost request", Progress.appendLost(Progress.sent(replicating, 1, 0, 5)), { mode: { _tag: "Probe" }, nextIndex: 11,
      matchIndex: 10 }],
    [
      "entries it had confirmed, lost",
      Progress.lostConfirmed(Progress.sent(replicating, 1, 0, 5), 3),
      { mode: { _tag: "Probe" }, nextIndex: 3, matchIndex: 0, sentBeforeLoss: 1 }
    ]
  ] as const)("%s: back to probing", (_what, after, expected) => {
    expect(after).toMatchObject(expected)
  })

  it("a snapshot goes from its start, keeps its place across chunks, and once installed the leader probes after it", () => {
    expect(sending.mode).toEqual({ _tag: "Snapshot", lastIndex: 40, received: 0 })
    const halfway = Progress.snapshotAnswered(sending, 40, 100, false)
    expect(halfway.mode).toEqual({ _tag: "Snapshot", lastIndex: 40, received: 100 })
    // Asked again while under way, with the same snapshot the newest, it keeps its place.
    expect(Progress.sendSnapshot(halfway, snapshot)).toBe(halfway)
    const installed = Progress.snapshotAnswered(halfway, 40, 200, true)
    expect(installed).toMatchObject({ mode: { _tag: "Probe" }, matchIndex: 40, nextIndex: 41 })
  })

  it("a snapshot under way gives way to a newer one, sent from its start; answers about the older one change nothing", () => {
    const halfway = Progress.snapshotAnswered(sending, 40, 100, false)
    const newer = Progress.sendSnapshot(halfway, { lastIndex: 50 })
    expect(newer.mode).toEqual({ _tag: "Snapshot", lastIndex: 50, received: 0 })
    expect(Progress.snapshotAnswered(newer, 40, 200, true)).toBe(newer)
  })

  it("an answer about another snapshot than the one being sent changes nothing", () => {
    expect(Progress.snapshotAnswered(sending, 30, 100, true)).toBe(sending)
    expect(Progress.snapshotAnswered(replicating, 40, 100, true)).toBe(replicating)
  })
})
