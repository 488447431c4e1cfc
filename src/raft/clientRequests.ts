import { Effect, Either, Schema } from "effect"
import { ErrorCode } from "../protocol/errorCodes.js"
import { errorReply, KvReply, type KvRequest } from "../protocol/kvMessages.js"
import type { Forward } from "../protocol/raftMessages.js"
import type { ForwardId } from "./Forwarding.js"
import type { Responder } from "./InFlightRequests.js"
import { currentTerm, type RaftContext, ringAll, transition } from "./RaftContext.js"
import type { RaftState } from "./RaftState.js"
import { confirmReads } from "./ReadIndexReads.js"

const decodeReply = Schema.decodeUnknownOption(KvReply)

/** Why a request is not taken here: not leading (or a forward for another term's leader), or a copy of a forward already taken. */
export type Refused =
  | { readonly _tag: "Duplicate" }
  | { readonly _tag: "NotLeader"; readonly leaderId: string | null; readonly term: number }

const notLeaderForForward = errorReply(
  ErrorCode.timeout,
  "not the leader of the term this forward names; the operation may or may not have happened"
)

const timedOut = (what: string) =>
  errorReply(ErrorCode.timeout, `timed out waiting for ${what}; the operation may or may not have happened`)

/**
 * Where a request came from: straight from a client (never duplicated), or
 * forwarded by another node to the leader of `term` (a forward may be
 * duplicated by the network; see Forwarding.ts).
 */
export type RequestOrigin =
  | { readonly _tag: "client" }
  | { readonly _tag: "forwarded"; readonly term: number; readonly id: ForwardId }

/** A client request as a node handles it: what it asks, where it came from, and where its answer goes. */
export interface ClientRequest {
  /** Without its msg_id, which is the client's: the log keeps the operation only. */
  readonly command: KvRequest
  readonly origin: RequestOrigin
  readonly responder: Responder
}

/**
 * Whether this node takes `command` now, inside a transition: null when it
 * does, or why not. A forward runs only at the leader of the term it names,
 * and a write or cas forward already taken (its id admitted) is not taken again.
 */
export const refusedHere = (
  context: RaftContext,
  state: RaftState,
  { command, origin }: Pick<ClientRequest, "command" | "origin">
): Refused | null => {
  const term = currentTerm(context)
  const notLeader: Refused = { _tag: "NotLeader", leaderId: state.leaderId, term }
  if (state.role !== "leader") return notLeader
  if (origin._tag === "forwarded") {
    // Addressed to another term's leader: that term's leader alone may run it.
    if (origin.term !== term) return notLeader
    if (command.type !== "read" && context.rules.refusesDuplicates && !context.forwarded.admit(term, origin.id)) {
      return { _tag: "Duplicate" }
    }
  }
  return null
}

/**
 * Answers a request this node does not take. A client's request is passed on
 * to the known leader, naming its term, or refused with "temporarily
 * unavailable" (definite: it entered no log, and no copy of it exists). A
 * forwarded request is never passed on again, and every refusal of one is
 * indefinite: another copy of the same forward may arrive later, find this
 * node leading, and run.
 */
export const answerRefused = (context: RaftContext, request: ClientRequest, refused: Refused): Effect.Effect<void> => {
  const { command, origin, responder } = request
  if (refused._tag === "Duplicate") {
    return responder.answer(errorReply(ErrorCode.timeout, "a copy of a forward already taken; its outcome goes to the first copy"))
  }
  const { leaderId, term } = refused
  if (origin._tag === "forwarded") return responder.answer(notLeaderForForward)
  if (leaderId === null) return responder.answer(errorReply(ErrorCode.temporarilyUnavailable, "no leader known; try again"))
  const forward: Forward = { type: "forward", term, ...context.nextForwardId(), request: command }
  return context.network.rpcThen(leaderId, forward, context.config.requestTimeoutMs, (answer) =>
    responder.answer(Either.match(answer, {
      onLeft: () => timedOut(`leader ${leaderId}`),
      onRight: (body) => {
        const { in_reply_to: _inReplyTo, msg_id: _msgId, ...reply } = body
        const decoded = decodeReply(reply)
        return decoded._tag === "Some"
          ? decoded.value
          : errorReply(ErrorCode.crash, `the leader answered with an unreadable reply; the operation may have happened`)
      }
    })))
}

/**
 * Takes one client request in; its answer comes later, through its
 * responder, from whoever settles it. Nothing waits for it.
 *
 * As leader: a read waits for a ReadIndex round (a majority confirming this
 * node still leads after the read arrived) and is answered at the commit
 * index by the applier; a write or cas goes to the proposer (proposer.ts),
 * which appends it with every other waiting one, and is answered once
 * applied. Either is answered with a timeout (indefinite) if that takes
 * longer than the request timeout. A forward runs only at the leader of the
 * term it names, and a copy of one already taken is not appended again: its
 * answer is indefinite, the first copy's outcome going to whoever sent it.
 * Not leader: see answerRefused. A forwarded request whose entry is
 * overwritten gets an indefinite answer (a copy of it may still run); a
 * client's own request, appended once, gets a definite one.
 */
export const acceptRequest = (context: RaftContext, request: ClientRequest): Effect.Effect<void> =>
  Effect.gen(function*() {
    const { command, responder } = request
    const timeout = (what: string) =>
      context.requestTimeouts.start(responder.answered, responder.answer(timedOut(what)))
    // A follower passes a request on without taking the state lock: if
    // leadership changes meanwhile, the forward names a term whose leader alone
    // will run it, wherever it is sent.
    const seen = yield* context.state.get
    if (seen.role !== "leader") {
      if (command.type === "read" && context.rules.followersServeReads) {
        return yield* responder.answer(yield* context.stateMachine.query(command))
      }
      return yield* answerRefused(context, request, { _tag: "NotLeader", leaderId: seen.leaderId, term: currentTerm(context) })
    }
    if (command.type !== "read") {
      yield* context.proposals.add({ ...request, command })
      return yield* timeout("commit")
    }
    const refused = yield* transition(context, (state) =>
      Effect.gen(function*() {
        const refused = refusedHere(context, state, request)
        if (refused !== null) return [refused, state] as const
        // Reads take no log entry: they wait for a majority to confirm this leader after they arrived.
        const reading = { ...state, readRound: state.readRound + 1 }
        context.reads.wait(reading.readRound, command, responder)
        yield* confirmReads(context, reading)
        return [null, reading] as const
      }))
    if (refused !== null) return yield* answerRefused(context, request, refused)
    yield* ringAll(context.replicateSignals)
    yield* timeout("a majority to confirm the read")
  })
