/**
 * The CPU cost of decoding one message body by its schema, two ways: the
 * schema walked (Schema.decodeUnknownEither) against the quick decoder
 * (foundation/quickDecoder.ts: the same decoding compiled into plain checks).
 * The bodies are the ones a node decodes most: an AppendEntries of 10
 * entries (every follower, for every batch), its answer (the leader, per
 * follower and batch), a forwarded write (the leader, for two requests in
 * three) and a client's cas (the node it reaches). Rounds alternate the
 * order; prints µs of process CPU per body.
 * Usage (after `npm run build`): node dist/bench/perf/bodyDecodeCost.js [BODIES] [ROUNDS]
 */
import { Effect, Either, Schema } from "effect"
import { quickDecoder } from "../../foundation/quickDecoder.js"
import { Forward } from "../../src/protocol/forwardMessage.js"
import { KvRequest } from "../../src/protocol/kvMessages.js"
import { AppendEntries, AppendEntriesResult } from "../../src/protocol/raftMessages.js"
import { compareInRounds } from "./cpuRounds.js"

const bodies = Number(process.argv[2] ?? 200_000)
const rounds = Number(process.argv[3] ?? 5)

const entries = Array.from({ length: 10 }, (_, i) => ({
  term: 3,
  command: { type: "write", key: i, value: i * 7, session: "n2:1", serial: i }
}))
const cases: ReadonlyArray<readonly [Schema.Schema<any, any>, unknown]> = [
  [AppendEntries, {
    type: "append_entries",
    msg_id: 9,
    term: 3,
    leader_id: "n1",
    prev_log_index: 110,
    prev_log_term: 3,
    entries,
    leader_commit: 109
  }],
  [AppendEntriesResult, { type: "append_entries_result", in_reply_to: 9, term: 3, success: true, match_index: 120 }],
  [Forward, {
    type: "forward",
    msg_id: 12,
    term: 3,
    session: "n2:1",
    serial: 40,
    request: { type: "write", msg_id: 5, key: 17, value: 42 }
  }],
  [KvRequest, { type: "cas", msg_id: 7, key: 17, from: 40, to: 42 }]
]

/** `bodies` of the bodies above, each through its decoder; one that fails stops the run. */
const each = (decoders: ReadonlyArray<(input: unknown) => Either.Either<unknown, unknown>>) =>
  Effect.sync(() => {
    for (let i = 0; i < bodies; i++) {
      const at = i % cases.length
      if (Either.isLeft(decoders[at]!(cases[at]![1]))) throw new Error(`body ${at} failed`)
    }
  })

const options = { errors: "all" } as const
Effect.runPromise(compareInRounds({
  rounds,
  units: bodies,
  unit: "body",
  first: ["Schema decode", each(cases.map(([schema]) => Schema.decodeUnknownEither(schema, options)))],
  second: ["quickDecoder", each(cases.map(([schema]) => quickDecoder(schema, options)))]
}))
