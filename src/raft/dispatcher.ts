import { Cause, Effect, Either, Queue, Schema } from "effect"
import { requestLimitViolation } from "../kv/requestLimits.js"
import { describeParseError } from "../protocol/describeParseError.js"
import type { Envelope } from "../protocol/envelope.js"
import { ErrorCode } from "../protocol/errorCodes.js"
import { CasRequest, type ErrorReply, errorReply, type KvRequest, ReadRequest, WriteRequest } from "../protocol/kvMessages.js"
import { AppendEntries, Forward, InstallSnapshot, RequestVote } from "../protocol/raftMessages.js"
import { acceptRequest, type RequestOrigin } from "./clientRequests.js"
import { handleRequestVote } from "./election.js"
import { handleAppendEntries } from "./follower.js"
import type { InFlightRequests } from "./InFlightRequests.js"
import type { RaftContext } from "./RaftContext.js"
import { handleInstallSnapshot } from "./snapshotReceiver.js"

/** Every request a node serves, clients' and peers', by type. */
const requestSchemas = [ReadRequest, WriteRequest, CasRequest, Forward, RequestVote, AppendEntries, InstallSnapshot] as const
export type NodeRequest = Schema.Schema.Type<(typeof requestSchemas)[number]>
const decoders = new Map(
  requestSchemas.map((schema) => [
    schema.fields.type.literals[0] as string,
    Schema.decodeUnknownEither(schema as Schema.Schema<NodeRequest, unknown>, { errors: "all" })
  ])
)

/**
 * Why a request is refused for who sent it, or undefined when it is not.
 * Raft's RPCs and forwards are obeyed only from the other members of the
 * cluster, each speaking for itself; a client's own request must keep within
 * the limits every node can carry.
 */
export const refusal = (request: NodeRequest, src: string, peers: ReadonlyArray<string>): ErrorReply | undefined => {
  if (request.type === "read" || request.type === "write" || request.type === "cas") {
    const violation = requestLimitViolation(request)
    return violation === undefined ? undefined : errorReply(ErrorCode.malformedRequest, `malformed ${request.type}: ${violation}`)
  }
  if (!peers.includes(src)) {
    return errorReply(
      ErrorCode.notSupported,
      `${request.type} is accepted only from the other cluster members (${peers.join(", ")}), not from ${src}`
    )
  }
  const claimed = request.type === "request_vote"
    ? ["candidate_id", request.candidate_id] as const
    : request.type === "append_entries" || request.type === "install_snapshot"
    ? ["leader_id", request.leader_id] as const
    : undefined
  if (claimed !== undefined && claimed[1] !== src) {
    return errorReply(ErrorCode.malformedRequest, `malformed ${request.type}: ${claimed[0]} ${claimed[1]} is not its sender ${src}`)
  }
  return undefined
}

/**
 * Reads incoming messages until the network closes, handling each in arrival
 * order, one at a time. A client request is only taken in here (its answer
 * comes later, see acceptRequest), so none holds up the next. Unknown types
 * get error 10, malformed ones error 12; a refused one (see `refusal`) is
 * logged and answered with why.
 */
export const dispatcher = (context: RaftContext, inFlight: InFlightRequests) =>
  Effect.gen(function*() {
    const refuse = (envelope: Envelope, reply: ErrorReply) =>
      Effect.zipRight(Effect.logWarning(`${reply.text} (from ${envelope.src})`), context.network.reply(envelope, reply))
    const accept = (envelope: Envelope, { msg_id: _, ...command }: KvRequest, origin: RequestOrigin) =>
      acceptRequest(context, { command, origin, responder: inFlight.accept(envelope) })
    const handle = (envelope: Envelope): Effect.Effect<void> => {
      const decode = decoders.get(envelope.body.type)
      const decoded = decode?.(envelope.body)
      if (decoded === undefined) {
        return refuse(envelope, errorReply(ErrorCode.notSupported, `unsupported message type ${JSON.stringify(envelope.body.type)}`))
      }
      if (Either.isLeft(decoded)) {
        return refuse(
          envelope,
          errorReply(ErrorCode.malformedRequest, `malformed ${envelope.body.type}: ${describeParseError(decoded.left)}`)
        )
      }
      const request = decoded.right
      const refused = refusal(request, envelope.src, context.peers)
      if (refused !== undefined) return refuse(envelope, refused)
      switch (request.type) {
        case "request_vote":
          return handleRequestVote(context, envelope, request)
        case "append_entries":
          return handleAppendEntries(context, envelope, request)
        case "install_snapshot":
          return handleInstallSnapshot(context, envelope, request)
        case "forward":
          return accept(envelope, request.request, {
            _tag: "forwarded",
            term: request.term,
            id: { session: request.session, serial: request.serial }
          })
        default:
          return accept(envelope, request, { _tag: "client" })
      }
    }
    // Whatever arrived meanwhile, taken at once; the loop ends when the network shuts the queue down.
    const { incoming } = context.network
    while (true) {
      const arrived = yield* Effect.catchAllCause(Queue.takeBetween(incoming, 1, Number.POSITIVE_INFINITY), (cause) =>
        Effect.flatMap(
          Queue.isShutdown(incoming),
          (shutDown) => shutDown && Cause.isInterruptedOnly(cause) ? Effect.succeed(null) : Effect.failCause(cause)
        ))
      if (arrived === null) return
      for (const envelope of arrived) yield* handle(envelope)
    }
  })
