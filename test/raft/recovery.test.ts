import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { advance, observe, ofType, type Sent, startScriptedNode } from "../support/ScriptedPeers.js"

type Node = Effect.Effect.Success<ReturnType<typeof startScriptedNode>>

const voteRequest = (msgId: number, term: number, candidate: string, lastIndex: number, lastTerm: number) => ({
  type: "request_vote",
  msg_id: msgId,
  term,
  candidate_id: candidate,
  last_log_index: lastIndex,
  last_log_term: lastTerm,
  pre_vote: false
})

/** n1's answers to vote requests among what it sent, by the request they answer. */
const votesGranted = (sent: ReadonlyArray<Sent>) =>
  new Map(ofType(sent, "request_vote_result").map((m) => [m.envelope.body.in_reply_to, m.envelope.body["vote_granted"]]))

/** The peer answers n1's latest log_tip question among `sent`. */
const answerLogTip = (node: Node, sent: ReadonlyArray<Sent>, peer: string, lastIndex: number, lastTerm: number, term = lastTerm) => {
  const question = ofType(sent, "log_tip").filter((m) => m.envelope.dest === peer).at(-1)
  expect(question, `n1 asked ${peer} where its log ends`).toBeDefined()
  return node.deliver(peer, {
    type: "log_tip_result",
    in_reply_to: question!.envelope.body.msg_id,
    last_index: lastIndex,
    last_term: lastTerm,
    term
  })
}

describe("a node that starts empty learns from its peers before it votes (src/raft/recovery.ts)", () => {
  it.scoped("it votes for no one and does not campaign until both peers said where their logs end; then only for a candidate at the floor", () =>
    Effect.gen(function*() {
      const node = yield* startScriptedNode(undefined, undefined, { peersAnswerLogTip: false })
      yield* advance(10)
      const asked = yield* node.sent
      expect(ofType(asked, "log_tip").map((m) => m.envelope.dest).sort()).toEqual(["n2", "n3"])
      // n2 holds five entries and has reached term 3; n3, which missed them, asks for a vote at once.
      yield* answerLogTip(node, asked, "n2", 5, 2, 3)
      yield* node.deliver("n3", voteRequest(1, 3, "n3", 0, 0))
      yield* advance(node.config.electionTimeoutMaxMs * 2)
      let sent = yield* node.sent
      expect(votesGranted(sent).get(1)).toBe(false)
      expect(ofType(sent, "request_vote")).toEqual([])
      expect(node.storage.hardState.votedFor).toBe(null)
      // n3's answer to its next question settles it: the floor is n2's log end, durably not caught up, and
      // no vote in a term n2 had reached (where this node may have voted before it lost its storage).
      let askedAgain: ReadonlyArray<Sent> = []
      while (!askedAgain.some((m) => m.envelope.body.type === "log_tip")) {
        yield* advance(10)
        askedAgain = yield* node.sent
      }
      yield* answerLogTip(node, askedAgain, "n3", 0, 0)
      yield* advance(10)
      expect(node.storage.hardState).toEqual({ term: 3, votedFor: "n1", caughtUp: false })
      yield* node.deliver("n2", voteRequest(5, 3, "n2", 5, 2))
      yield* node.deliver("n3", voteRequest(2, 4, "n3", 0, 0))
      yield* node.deliver("n2", voteRequest(3, 4, "n2", 5, 2))
      yield* advance(node.config.electionTimeoutMaxMs * 2)
      sent = yield* node.sent
      expect(votesGranted(sent)).toEqual(new Map([[5, false], [2, false], [3, true]]))
      expect(node.storage.hardState).toMatchObject({ term: 4, votedFor: "n2", caughtUp: false })
      // It never campaigns itself: only a leader that brings it level makes its own log speak for it again.
      expect(ofType(sent, "request_vote")).toEqual([])
    }))

  it.scoped("when both peers' logs are empty the cluster is new: it campaigns, caught up", () =>
    Effect.gen(function*() {
      const node = yield* startScriptedNode(undefined, undefined, { peersAnswerLogTip: false })
      yield* advance(10)
      const asked = yield* node.sent
      yield* answerLogTip(node, asked, "n2", 0, 0)
      yield* answerLogTip(node, asked, "n3", 0, 0)
      yield* advance(node.config.electionTimeoutMaxMs + 10)
      expect(ofType(yield* node.sent, "request_vote").map((m) => m.envelope.dest).sort()).toEqual(["n2", "n3"])
      expect(node.storage.hardState.caughtUp).toBe(true)
    }))

  it.scoped("a leader that reaches it first makes it durably not caught up, until that leader brought it level", () =>
    Effect.gen(function*() {
      const node = yield* startScriptedNode(undefined, undefined, { peersAnswerLogTip: false })
      const appendEntries = (msgId: number, entries: ReadonlyArray<unknown>) => ({
        type: "append_entries",
        msg_id: msgId,
        term: 2,
        leader_id: "n2",
        prev_log_index: 0,
        prev_log_term: 0,
        entries,
        leader_commit: 2
      })
      yield* node.deliver("n2", appendEntries(1, []))
      yield* advance(10)
      expect(node.storage.hardState).toMatchObject({ term: 2, caughtUp: false })
      const entry = { term: 2, command: { type: "write", key: 1, value: 1 } }
      yield* node.deliver("n2", appendEntries(2, [entry, entry]))
      yield* advance(10)
      expect(node.storage.hardState).toMatchObject({ term: 2, caughtUp: true })
      // Its own log speaks for it again, though no peer ever answered: a candidate behind it is refused, one level granted.
      yield* advance(node.config.electionTimeoutMinMs)
      yield* node.deliver("n3", voteRequest(3, 3, "n3", 1, 2))
      yield* node.deliver("n3", voteRequest(4, 4, "n3", 2, 2))
      yield* advance(10)
      expect(votesGranted(yield* node.sent)).toEqual(new Map([[3, false], [4, true]]))
    }))

  it.scoped("asked where its log ends, a node answers with its last index and term", () =>
    Effect.gen(function*() {
      const node = yield* startScriptedNode()
      const { leadWithNoopCommitted } = observe(node)
      yield* leadWithNoopCommitted
      yield* node.deliver("n3", { type: "log_tip", msg_id: 9 })
      yield* advance(10)
      const answers = ofType(yield* node.sent, "log_tip_result").map((m) => m.envelope.body)
      expect(answers).toEqual([{ type: "log_tip_result", in_reply_to: 9, last_index: 1, last_term: 1, term: 1 }])
    }))
})
