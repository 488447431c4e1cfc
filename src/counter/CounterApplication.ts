import { Effect, Either, Schema } from "effect"
import type { Envelope, NetworkShape } from "../../services/Network.js"
import { ErrorCode } from "../protocol/errorCodes.js"
import { requestDecoder } from "../protocol/requestDecoder.js"
import { type ErrorReply, errorReply } from "../protocol/kvMessages.js"
import type { MessageRefusal, RaftApplication } from "../raft/dispatcher.js"
import type { Raft } from "../raft/Raft.js"
import type { ProposalError, ReadBarrierError } from "../raft/RaftErrors.js"
import { AddRequest, type CounterCommand, CounterReadRequest, type CounterReply } from "./counterMessages.js"
import { CounterRules } from "./CounterRules.js"
import { CounterState } from "./CounterState.js"
import { notLeaderText } from "./leaderHint.js"

/** Every message the counter application serves. */
const requestSchemas = [AddRequest, CounterReadRequest] as const
type CounterRequest = Schema.Schema.Type<(typeof requestSchemas)[number]>
const decodeRequest = requestDecoder<CounterRequest>(requestSchemas)

/**
 * Why Raft served no request, as the client's error: a node that does not
 * lead names the leader it knows and takes nothing (definite); an add whose
 * entry was overwritten never happened (definite); a timeout promises
 * nothing (indefinite).
 */
const failureReply = (request: CounterRequest["type"], error: ProposalError | ReadBarrierError): ErrorReply => {
  switch (error._tag) {
    case "NotLeader":
      return errorReply(ErrorCode.temporarilyUnavailable, notLeaderText(error.term, error.leaderId))
    case "LeadershipLost":
      return errorReply(
        ErrorCode.temporarilyUnavailable,
        request === "add" ? "leadership changed before the add committed; it was not applied" : error.message
      )
    case "RaftTimeout":
      return errorReply(ErrorCode.timeout, request === "add" ? `${error.message}; the add may or may not have happened` : error.message)
  }
}

/**
 * The counter application on the Raft engine: an add is proposed and
 * answered once applied; a read passes a read barrier and is answered from
 * the state machine. Nothing is forwarded: a node that does not lead
 * answers error 11 naming the leader it knows. Each request is answered
 * once, by whoever learns its outcome.
 */
export const makeCounterApplication = (raft: Raft, network: NetworkShape) =>
  Effect.gen(function*() {
    const state = yield* CounterState
    const rules = yield* CounterRules

    const refuse = (envelope: Envelope, reply: ErrorReply) =>
      Effect.zipRight(Effect.logWarning(`${reply.text} (from ${envelope.src})`), network.reply(envelope, reply))
    const answer = (envelope: Envelope) => (reply: CounterReply) => network.reply(envelope, reply)

    const add = (envelope: Envelope, { delta }: AddRequest) =>
      raft.proposeThen({ type: "add", delta } satisfies CounterCommand, (outcome) =>
        Either.match(outcome, {
          // The state machine's reply to the add this application proposed.
          onRight: (reply) => answer(envelope)(reply as CounterReply),
          onLeft: (error) => answer(envelope)(failureReply("add", error))
        }))

    const read = (envelope: Envelope, request: CounterReadRequest) =>
      rules.readsWithoutBarrier
        ? Effect.flatMap(state.query(request), answer(envelope))
        : raft.readBarrierThen((outcome) =>
          Either.match(outcome, {
            onRight: () => Effect.flatMap(state.query(request), answer(envelope)),
            onLeft: (error) => answer(envelope)(failureReply("read", error))
          })
        )

    const handle = (envelope: Envelope): Effect.Effect<void> => {
      const decoded = decodeRequest(envelope.body)
      if (Either.isLeft(decoded)) return refuse(envelope, decoded.left)
      const request = decoded.right
      return request.type === "add" ? add(envelope, request) : read(envelope, request)
    }

    const application: RaftApplication = {
      handle,
      refuse: (envelope, refusal: MessageRefusal) =>
        refuse(envelope, errorReply(refusal._tag === "Malformed" ? ErrorCode.malformedRequest : ErrorCode.notSupported, refusal.text))
    }
    return application
  })
