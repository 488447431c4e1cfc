import { Deferred, Effect, Schema } from "effect"
import { ErrorCode } from "../protocol/errorCodes.js"
import { errorReply, KvReply, type KvRequest, type ReadRequest } from "../protocol/kvMessages.js"
import type { Entry, Forward } from "../protocol/raftMessages.js"
import type { ForwardId } from "./Forwarding.js"
import { currentTerm, type RaftContext, ringAll, transition } from "./RaftContext.js"
import { confirmReads } from "./ReadIndexReads.js"

const decodeReply = Schema.decodeUnknownOption(KvReply)

/** Where a request went: into this leader's log (with its waiter), into a ReadIndex round, nowhere, or on to the leader. */
type Placement =
  | { readonly _tag: "Appended"; readonly index: number; readonly reply: Deferred.Deferred<KvReply> }
  | { readonly _tag: "Reading"; readonly reply: Deferred.Deferred<KvReply> }
  | { readonly _tag: "Duplicate" }
  | { readonly _tag: "ReadLocally"; readonly request: ReadRequest }
  | { readonly _tag: "NotLeader"; readonly leaderId: string | null; readonly term: number }

/** For a client's own request whose entry was overwritten: it can never commit. */
const overwritten = errorReply(
  ErrorCode.temporarilyUnavailable,
  "leadership changed before the request committed; it was not applied"
)

/** For a forwarded request whose entry was overwritten: a duplicate of the forward may still run. */
const mayBeElsewhere = errorReply(
  ErrorCode.timeout,
  "leadership changed before the request committed; a copy of it may still be applied"
)

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
 * Runs one client request.
 *
 * As leader: a read waits for a ReadIndex round (a majority confirming this
 * node still leads after the read arrived) and is answered at the commit
 * index; a write or cas is appended, replicated, and answered once applied.
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
    const placed = yield* transition<Placement>(context, (state) =>
      Effect.gen(function*() {
        const term = currentTerm(context)
        if (command.type === "read" && state.role !== "leader" && context.rules.followersServeReads) {
          return [{ _tag: "ReadLocally", request: command }, state] as const
        }
        const notLeader = [{ _tag: "NotLeader", leaderId: state.leaderId, term }, state] as const
        if (state.role !== "leader") return notLeader
        if (origin._tag === "forwarded") {
          // Addressed to another term's leader: that term's leader alone may run it.
          if (origin.term !== term) return notLeader
          if (command.type !== "read" && context.rules.refusesDuplicates && !context.forwarded.admit(term, origin.id)) {
            return [{ _tag: "Duplicate" }, state] as const
          }
        }
        if (command.type === "read") {
          // Reads take no log entry: they wait for a majority to confirm this leader after they arrived.
          const reading = { ...state, readRound: state.readRound + 1 }
          const reply = yield* context.reads.wait(reading.readRound, command)
          yield* confirmReads(context, reading)
          return [{ _tag: "Reading", reply }, reading] as const
        }
        const index = context.log.lastIndex() + 1
        const entry: Entry = { term, command }
        yield* Effect.orDie(context.log.append([entry]))
        const reply = yield* context.pending.register(index, term, origin._tag === "client" ? overwritten : mayBeElsewhere)
        return [{ _tag: "Appended", index, reply }, state] as const
      }))
    switch (placed._tag) {
      case "ReadLocally":
        return yield* context.stateMachine.query(placed.request)
      case "Duplicate":
        return errorReply(ErrorCode.timeout, "a copy of a forward already taken; its outcome goes to the first copy")
      case "Reading": {
        yield* ringAll(context.replicateSignals)
        return yield* context.requestTimeouts.await(placed.reply, Effect.succeed(timedOut("a majority to confirm the read")))
      }
      case "Appended": {
        yield* context.commitSignal.ring
        yield* ringAll(context.replicateSignals)
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
