/**
 * The CPU cost of one envelope through the wire codec, two ways each: a
 * line decoded by the schema (Schema.decodeUnknownEither(EnvelopeFromJson),
 * which walks and copies every field of the body) against decodeEnvelope
 * (JSON.parse and a direct check and copy of a plain envelope); an
 * envelope encoded by the schema (Schema.encodeEither(EnvelopeFromJson))
 * against encodeEnvelope (the same check, then JSON.stringify). The messages are a node's usual
 * ones: client requests and replies, an AppendEntries of 10 entries and its
 * answer. Rounds alternate the order; prints µs of process CPU per message.
 * Usage (after `npm run build`): node dist/bench/perf/envelopeCodecCost.js [MESSAGES] [ROUNDS]
 */
import { Effect, Either, Schema } from "effect"
import { decodeEnvelope, encodeEnvelope, type Envelope, EnvelopeFromJson } from "../../src/protocol/envelope.js"
import { compareInRounds } from "./cpuRounds.js"

const messages = Number(process.argv[2] ?? 200_000)
const rounds = Number(process.argv[3] ?? 5)

const entries = Array.from({ length: 10 }, (_, i) => ({ term: 3, command: { type: "write", key: i, value: i * 7 } }))
const envelopes: ReadonlyArray<Envelope> = [
  { src: "c1", dest: "n1", body: { type: "write", msg_id: 5, key: 17, value: 42 } },
  { src: "c1", dest: "n1", body: { type: "read", msg_id: 6, key: 17 } },
  { src: "c1", dest: "n1", body: { type: "cas", msg_id: 7, key: 17, from: 40, to: 42 } },
  { src: "n1", dest: "c1", body: { type: "read_ok", in_reply_to: 6, value: 42 } },
  {
    src: "n1",
    dest: "n2",
    body: { type: "append_entries", msg_id: 9, term: 3, leader_id: "n1", prev_log_index: 110, prev_log_term: 3, entries,
      leader_commit: 109 }
  },
  { src: "n2", dest: "n1", body: { type: "append_entries_ok", in_reply_to: 9, term: 3, success: true, match_index: 120 } }
]
const lines = envelopes.map((envelope) => JSON.stringify(envelope))

/** `messages` of the messages above, each through `codec`; one that fails stops the run. */
const each = <A, B, E>(inputs: ReadonlyArray<A>, codec: (input: A) => Either.Either<B, E>) =>
  Effect.sync(() => {
    for (let i = 0; i < messages; i++) {
      if (Either.isLeft(codec(inputs[i % inputs.length]!))) throw new Error(`message ${i % inputs.length} failed`)
    }
  })

const comparisons = [
  {
    unit: "line",
    first: ["Schema decode", each(lines, Schema.decodeUnknownEither(EnvelopeFromJson))] as const,
    second: ["decodeEnvelope", each(lines, decodeEnvelope)] as const
  },
  {
    unit: "envelope",
    first: ["Schema encode", each(envelopes, Schema.encodeEither(EnvelopeFromJson))] as const,
    second: ["encodeEnvelope", each(envelopes, encodeEnvelope)] as const
  }
]

Effect.runPromise(Effect.forEach(comparisons, (comparison) => compareInRounds({ rounds, units: messages, ...comparison })))
