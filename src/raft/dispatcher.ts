import { Effect, Either, FiberSet, Random, Schema, Stream } from "effect"
import { describeParseError } from "../protocol/describeParseError.js"
import type { Body, Envelope } from "../protocol/envelope.js"
import { ErrorCode } from "../protocol/errorCodes.js"
import { CasRequest, errorReply, ReadRequest, WriteRequest } from "../protocol/kvMessages.js"
import { AppendEntries, Forward, RequestVote } from "../protocol/raftMessages.js"
import { executeRequest } from "./clientRequests.js"
import { handleRequestVote } from "./election.js"
import { handleAppendEntries } from "./followerAppend.js"
import type { InFlightRequests } from "./InFlightRequests.js"
import type { RaftContext } from "./RaftContext.js"

/** Every request a node serves, clients' and peers', by type. */
const requestSchemas = [ReadRequest, WriteRequest, CasRequest, Forward, RequestVote, AppendEntries] as const
type NodeRequest = Schema.Schema.Type<(typeof requestSchemas)[number]>
const decoders = new Map(
  requestSchemas.map((schema) => [
    schema.fields.type.literals[0] as string,
    Schema.decodeUnknownEither(schema as Schema.Schema<NodeRequest, unknown>, { errors: "all" })
  ])
)

/**
 * Reads incoming messages until the network closes. Raft RPCs are handled in
 * arrival order, one at a time; client requests (which wait for commit) each
 * run in their own fiber, and one that fails stops the node (its answer, and
 * every other waiting one's, is then the stop's). Unknown types get error 10,
 * malformed ones error 12.
 */
export const dispatcher = (context: RaftContext, inFlight: InFlightRequests) =>
  Effect.gen(function*() {
    const requests = yield* FiberSet.make()
    // Request ids stay unique across this node's restarts: a random incarnation plus a counter.
    const incarnation = yield* Random.nextIntBetween(0, 2 ** 31)
    let received = 0
    const nextRequestId = () => `${context.self}:${incarnation}:${++received}`
    const serve = (envelope: Envelope, answer: Effect.Effect<Body, unknown>) =>
      FiberSet.run(requests, Effect.catchAllCause(inFlight.serve(envelope, answer), context.fail)).pipe(Effect.asVoid)
    const handle = (envelope: Envelope): Effect.Effect<void> => {
      const decode = decoders.get(envelope.body.type)
      const decoded = decode?.(envelope.body)
      if (decoded === undefined || Either.isLeft(decoded)) {
        const reply = decoded === undefined
          ? errorReply(ErrorCode.notSupported, `unsupported message type ${JSON.stringify(envelope.body.type)}`)
          : errorReply(ErrorCode.malformedRequest, `malformed ${envelope.body.type}: ${describeParseError(decoded.left)}`)
        return Effect.zipRight(
          Effect.logWarning(`${reply.text} (from ${envelope.src})`),
          context.network.reply(envelope, reply)
        )
      }
      const request = decoded.right
      switch (request.type) {
        case "request_vote":
          return handleRequestVote(context, envelope, request)
        case "append_entries":
          return handleAppendEntries(context, envelope, request)
        case "forward":
          return serve(envelope, executeRequest(context, request.request, request.request_id, "forwarded"))
        default:
          return serve(envelope, executeRequest(context, request, nextRequestId(), "client"))
      }
    }
    yield* Stream.fromQueue(context.network.incoming).pipe(Stream.runForEach(handle))
  }).pipe(Effect.scoped)
