import { quickOptionDecoder } from "../../foundation/quickDecoder.js"
import { Effect, Either, Random, Schema } from "effect"
import type { Envelope, NetworkShape } from "../../services/Network.js"
import { RaftConfig } from "../../services/RaftConfig.js"
import { ErrorCode } from "../protocol/errorCodes.js"
import { requestDecoder } from "../protocol/requestDecoder.js"
import { type AdminRequest, adminRequestSchemas } from "../protocol/adminMessages.js"
import { Forward } from "../protocol/forwardMessage.js"
import { CasRequest, type ErrorReply, errorReply, KvReply, type KvRequest, ReadRequest, WriteRequest } from "../protocol/kvMessages.js"
import type { MessageRefusal, RaftApplication } from "../raft/dispatcher.js"
import type { Raft } from "../raft/Raft.js"
import { noLeaderKnown } from "./noLeaderKnown.js"
import type { ProposalError, ReadBarrierError } from "../raft/RaftErrors.js"
import { KvQuota } from "./KvQuota.js"
import { type ForwardId, makeForwardedRequests, makeForwardIds } from "./Forwarding.js"
import type { InFlightRequests, Responder } from "./InFlightRequests.js"
import { LinKvRules } from "./LinKvRules.js"
import { type KvCommand, LinKvState } from "./LinKvState.js"
import { requestLimitViolation } from "./requestLimits.js"
import { makeAdminRequests } from "./adminRequests.js"

/** Every message the lin-kv application serves: clients' requests, peers' forwards of them, and operators' requests. */
const requestSchemas = [ReadRequest, WriteRequest, CasRequest, Forward, ...adminRequestSchemas] as const
export type KvNodeRequest = Schema.Schema.Type<(typeof requestSchemas)[number]>
const decodeRequest = requestDecoder<KvNodeRequest>(requestSchemas)
const decodeReply = quickOptionDecoder(KvReply)
const adminTypes: ReadonlySet<string> = new Set(adminRequestSchemas.map((schema) => schema.fields.type.literals[0]))
const isAdminRequest = (request: KvNodeRequest): request is AdminRequest => adminTypes.has(request.type)

/**
 * Why a request is refused for who sent it, or undefined when it is not: a
 * forward is obeyed only from the other members of the cluster; a client's
 * own request must keep within the limits every node can carry.
 */
export const refusal = (request: KvNodeRequest, src: string, peers: ReadonlyArray<string>): ErrorReply | undefined => {
  if (isAdminRequest(request)) return undefined
  if (request.type === "forward") {
    return peers.includes(src) ? undefined : errorReply(
      ErrorCode.notSupported,
      `forward is accepted only from the other cluster members (${peers.join(", ")}), not from ${src}`
    )
  }
  const violation = requestLimitViolation(request)
  return violation === undefined ? undefined : errorReply(ErrorCode.malformedRequest, `malformed ${request.type}: ${violation}`)
}

const indefinitely = (what: string) => `${what}; the operation may or may not have happened`

/**
 * Where a request came from: straight from a client (never duplicated), or
 * forwarded by another node to the leader of `term` (a forward may be
 * duplicated by the network; see Forwarding.ts).
 */
type RequestOrigin =
  | { readonly _tag: "client" }
  | { readonly _tag: "forwarded"; readonly term: number; readonly id: ForwardId }

/**
 * The lin-kv application on the Raft engine: it takes clients' reads, writes
 * and cas, and answers each exactly once with Maelstrom's replies and error
 * codes. As leader, a write or cas is proposed to Raft and answered with the
 * state machine's reply once applied; a read passes a read barrier and is
 * answered from the state machine. A node that does not lead passes a
 * client's request on to the leader it heard from recently, naming that
 * leader's term, or answers "temporarily unavailable" at once when it knows
 * none. A definite error means the operation never happened and never will;
 * everything else is indefinite.
 */
export const makeKvApplication = (raft: Raft, network: NetworkShape, inFlight: InFlightRequests) =>
  Effect.gen(function*() {
    const { requestTimeoutMs } = yield* RaftConfig
    const state = yield* LinKvState
    const rules = yield* LinKvRules
    const { quotaBytes } = yield* KvQuota
    // Where waits that must not hold up the dispatcher run (a leadership hand-over).
    const scope = yield* Effect.scope
    const forwarded = makeForwardedRequests()
    // A random incarnation per start keeps this node's forward ids unique across its restarts.
    const nextForwardId = makeForwardIds(raft.self, yield* Random.nextIntBetween(0, 2 ** 31))

    const refuse = (envelope: Envelope, reply: ErrorReply) =>
      Effect.zipRight(Effect.logWarning(`${reply.text} (from ${envelope.src})`), network.reply(envelope, reply))

    /** Passes a client's request on to `leaderId`, the leader of `term`, and relays its reply. */
    const forward = (command: KvRequest, leaderId: string, term: number, responder: Responder) =>
      network.rpcThen(leaderId, { type: "forward", term, ...nextForwardId(), request: command } satisfies Forward, requestTimeoutMs,
        (answer) =>
          responder.answer(Either.match(answer, {
            onLeft: () => errorReply(ErrorCode.timeout, indefinitely(`timed out waiting for leader ${leaderId}`)),
            onRight: (body) => {
              const { in_reply_to: _inReplyTo, msg_id: _msgId, ...reply } = body
              const decoded = decodeReply(reply)
              return decoded._tag === "Some"
                ? decoded.value
                : errorReply(ErrorCode.crash, "the leader answered with an unreadable reply; the operation may have happened")
            }
          })))

    /**
     * Answers a request Raft could not serve. A client's own request that
     * this node could not take goes on to the leader it knows (or gets a
     * definite "temporarily unavailable": it entered no log, and no copy of it
     * exists); a forwarded one is never passed on again, and every failure of
     * one is indefinite, since another copy of the same forward may still run.
     */
    const answerFailure = (
      command: KvRequest,
      origin: RequestOrigin,
      responder: Responder,
      error: ProposalError | ReadBarrierError
    ): Effect.Effect<void> => {
      if (error._tag === "RaftTimeout") return responder.answer(errorReply(ErrorCode.timeout, indefinitely(error.message)))
      if (origin._tag === "forwarded") {
        return responder.answer(errorReply(
          ErrorCode.timeout,
          error._tag === "NotLeader"
            ? indefinitely("not the leader of the term this forward names")
            : "leadership changed before the request committed; a copy of it may still be applied"
        ))
      }
      if (error._tag === "LeadershipLost") {
        return responder.answer(errorReply(
          ErrorCode.temporarilyUnavailable,
          command.type === "read" ? error.message : "leadership changed before the request committed; it was not applied"
        ))
      }
      if (error.leaderId === null) return Effect.flatMap(noLeaderKnown(raft), responder.answer)
      return forward(command, error.leaderId, error.term, responder)
    }

    const read = (command: ReadRequest, origin: RequestOrigin, responder: Responder, term: number | undefined) =>
      raft.readBarrierThen(
        (outcome) =>
          Either.isRight(outcome)
            ? Effect.flatMap(state.query(command), responder.answer)
            : answerFailure(command, origin, responder, outcome.left),
        { term }
      )

    const propose = (command: KvCommand, origin: RequestOrigin, responder: Responder, term: number | undefined) =>
      raft.proposeThen(
        command,
        (outcome) =>
          Either.isRight(outcome)
            // The state machine's reply to the command this application proposed.
            ? responder.answer(outcome.right as KvReply)
            : answerFailure(command, origin, responder, outcome.left),
        { term }
      )

    /**
     * Proposes a write or cas unless it would grow the store past its quota:
     * then it gets a definite error, since it never enters the log. Only the
     * node that proposes weighs it, against the state it has applied (as
     * etcd does, the writes in flight may carry the store a little past it).
     */
    const proposeWithinQuota = (command: KvCommand, origin: RequestOrigin, responder: Responder, term: number | undefined) =>
      Effect.flatMap(state.footprint(command), ({ growth, size }) =>
        growth > 0 && size + growth > quotaBytes
          ? responder.answer(errorReply(
            ErrorCode.abort,
            `the store holds ${size} bytes, and this ${command.type} would grow it by ${growth}, past its quota of ${quotaBytes} ` +
              "bytes (--quota-bytes); it was not applied. Reads, and writes that do not grow the store, are still served"
          ))
          : propose(command, origin, responder, term))

    // Once per client request: plain combinators rather than a generator, which costs more.
    const accept = (envelope: Envelope, { msg_id: _, ...command }: KvRequest, origin: RequestOrigin): Effect.Effect<void> => {
      const responder = inFlight.accept(envelope)
      const term = origin._tag === "forwarded" ? origin.term : undefined
      if (command.type === "read") {
        if (!rules.followersServeReads) return read(command, origin, responder, term)
        return Effect.flatMap(raft.status, (status) =>
          status.role === "leader"
            ? read(command, origin, responder, term)
            : Effect.flatMap(state.query(command), responder.answer))
      }
      if (origin._tag !== "forwarded") return proposeWithinQuota(command, origin, responder, term)
      if (!rules.refusesDuplicates) return propose(command, origin, responder, term)
      return Effect.flatMap(raft.status, (status) => {
        // Only the leader of the forward's term takes it (elsewhere it fails with an indefinite error).
        if (status.role !== "leader" || status.term !== origin.term) return propose(command, origin, responder, term)
        // A copy of one it took already is not proposed again: so a refusal over the quota is definite, no copy runs.
        return forwarded.admit(origin.term, origin.id)
          ? proposeWithinQuota(command, origin, responder, term)
          : responder.answer(errorReply(ErrorCode.timeout, "a copy of a forward already taken; its outcome goes to the first copy"))
      })
    }

    const admin = makeAdminRequests(raft, network, scope, requestTimeoutMs)

    const handle = (envelope: Envelope): Effect.Effect<void> => {
      const decoded = decodeRequest(envelope.body)
      if (Either.isLeft(decoded)) return refuse(envelope, decoded.left)
      const request = decoded.right
      const refused = refusal(request, envelope.src, raft.peers)
      if (refused !== undefined) return refuse(envelope, refused)
      if (isAdminRequest(request)) return admin(envelope, request, inFlight.accept(envelope))
      return request.type === "forward"
        ? accept(envelope, request.request, {
          _tag: "forwarded",
          term: request.term,
          id: { session: request.session, serial: request.serial }
        })
        : accept(envelope, request, { _tag: "client" })
    }

    const application: RaftApplication = {
      handle,
      refuse: (envelope, refusal: MessageRefusal) =>
        refuse(envelope, errorReply(refusal._tag === "Malformed" ? ErrorCode.malformedRequest : ErrorCode.notSupported, refusal.text))
    }
    return application
  })
