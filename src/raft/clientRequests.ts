import { Deferred, Effect, Queue, Schema } from "effect"
import { ErrorCode } from "../protocol/errorCodes.js"
import { errorReply, KvReply, type KvRequest, type ReadRequest } from "../protocol/kvMessages.js"
import type { Forward } from "../protocol/raftMessages.js"
import type { ForwardId } from "./Forwarding.js"
import type { Appended, StillQueued } from "./proposer.js"
import { currentTerm, type RaftContext, ringAll, transition } from "./RaftContext.js"
import type { RaftState } from "./RaftState.js"
import { confirmReads } from "./ReadIndexReads.js"

const decodeReply = Schema.decodeUnknownOption(KvReply)

/** Why a request is not taken here: not leading (or a forward for another term's leader), or a copy of a forward already taken. */
export type Refused =
  | { readonly _tag: "Duplicate" }
  | { readonly _tag: "NotLeader"; readonly leaderId: string | null; readonly term: number }

/** Where a request went: into this leader's log or a ReadIndex round (with its waiter), nowhere, or on to the leader. */
type Placement =
  | Appended
  | StillQueued
  | { readonly _tag: "Reading"; readonly reply: Deferred.Deferred<KvReply> }
  | { readonly _tag: "ReadLocally"; readonly request: ReadRequest }
  | Refused

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

/**
 * Whether this node takes `command` now, inside a transition: null when it
 * does, or why not. A forward runs only at the leader of the term it names,
 * and a write or cas forward already taken (its id admitted) is not taken again.
 */
export const refusedHere = (
  context: RaftContext,
  state: RaftState,
  command: Omit<KvRequest, "msg_id">,
  origin: RequestOrigin
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
 * Runs one client request.
 *
 * As leader: a read waits for a ReadIndex round (a majority confirming this
 * node still leads after the read arrived) and is answered at the commit
 * index; a write or cas goes to the proposer (proposer.ts), which appends it
 * with every other waiting one, and is answered once applied.
 * A forward runs only at the leader of the term it names, and a copy of one
 * already taken is not appended again: its answer is indefinite, the first
 * copy's outcome going to whoever sent it.
 * Not leader: a client's request is passed on to the known leader, naming its
 * term, or refused with "temporarily unavailable" (definite: it entered no
 * log, and no copy of it exists). A forwarded request is never passed on again.
 *
 * Every refusal of a forwarded request is indefinite: another copy of the same
 * forward may arrive later, find this node leading, and run. For the same
 * reason a forwarded request whose entry is overwritten gets an indefinite
 * answer; a client's own request, appended once, gets a definite one.
 */
export const executeRequest = (
  context: RaftContext,
  request: KvRequest,
  origin: RequestOrigin
): Effect.Effect<KvReply> =>
  Effect.gen(function*() {
    const { msg_id: _, ...command } = request
    const placed: Placement = command.type === "read"
      ? yield* transition<Placement>(context, (state) =>
        Effect.gen(function*() {
          if (state.role !== "leader" && context.rules.followersServeReads) {
            return [{ _tag: "ReadLocally", request: command }, state] as const
          }
          const refused = refusedHere(context, state, command, origin)
          if (refused !== null) return [refused, state] as const
          // Reads take no log entry: they wait for a majority to confirm this leader after they arrived.
          const reading = { ...state, readRound: state.readRound + 1 }
          const reply = yield* context.reads.wait(reading.readRound, command)
          yield* confirmReads(context, reading)
          return [{ _tag: "Reading", reply }, reading] as const
        }))
      : yield* Effect.flatMap(Deferred.make<Appended | Refused | StillQueued>(), (placement) =>
        Effect.zipRight(
          Queue.offer(context.proposals, { command, origin, placed: placement }),
          // The proposer may append it later, once the group before it has committed.
          context.requestTimeouts.await(placement, Effect.succeed<StillQueued>({ _tag: "StillQueued" }))
        ))
    switch (placed._tag) {
      case "ReadLocally":
        return yield* context.stateMachine.query(placed.request)
      case "Duplicate":
        return errorReply(ErrorCode.timeout, "a copy of a forward already taken; its outcome goes to the first copy")
      case "Reading": {
        yield* ringAll(context.replicateSignals)
        return yield* context.requestTimeouts.await(placed.reply, Effect.succeed(timedOut("a majority to confirm the read")))
      }
      case "StillQueued":
        return timedOut("commit")
      case "Appended": {
        return yield* context.requestTimeouts.await(
          placed.reply,
          Effect.as(context.pending.forget(placed.index), timedOut("commit"))
        )
      }
      case "NotLeader": {
        const leaderId = placed.leaderId
        if (origin._tag === "forwarded") return notLeaderForForward
        if (leaderId === null) return errorReply(ErrorCode.temporarilyUnavailable, "no leader known; try again")
        const forward: Forward = { type: "forward", term: placed.term, ...context.nextForwardId(), request: command }
        return yield* context.network.rpc(leaderId, forward, context.config.requestTimeoutMs).pipe(
          Effect.map((body) => {
            const { in_reply_to: _inReplyTo, msg_id: _msgId, ...reply } = body
            const decoded = decodeReply(reply)
            return decoded._tag === "Some"
              ? decoded.value
              : errorReply(ErrorCode.crash, `the leader answered with an unreadable reply; the operation may have happened`)
          }),
          Effect.catchTag("RpcTimeout", () => Effect.succeed(timedOut(`leader ${leaderId}`)))
        )
      }
    }
  })
