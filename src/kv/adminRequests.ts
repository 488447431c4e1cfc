import { Effect, Either, type Scope } from "effect"
import type { Configuration } from "../../services/Log.js"
import type { Body, Envelope, NetworkShape } from "../../services/Network.js"
import type { AdminRequest, MembersOk, MembershipChangeOk, StatusOk, TransferLeadershipOk } from "../protocol/adminMessages.js"
import { ErrorCode } from "../protocol/errorCodes.js"
import { errorReply } from "../protocol/kvMessages.js"
import type { MembershipRequest } from "../raft/configurationChanges.js"
import type { Raft } from "../raft/Raft.js"
import { noLeaderKnown } from "./noLeaderKnown.js"
import type { MembershipChangeFailed } from "../raft/RaftErrors.js"
import type { Responder } from "./InFlightRequests.js"

/** The reply to a membership change that failed: definite unless it may still complete. */
const changeFailedReply = (failed: MembershipChangeFailed) =>
  errorReply(
    failed.outcome === "invalid" ? ErrorCode.malformedRequest
      : failed.outcome === "refused" ? ErrorCode.temporarilyUnavailable
      : ErrorCode.timeout,
    failed.message
  )

const changeOk = (type: MembershipChangeOk["type"], config: Configuration): MembershipChangeOk => ({
  type,
  voters: config.voters,
  learners: config.learners
})

const membershipRequest = (
  request: Exclude<AdminRequest, { readonly type: "transfer_leadership" | "members" | "status" }>
): MembershipRequest =>
  request.type === "add_member" ? { _tag: "Add", node: request.node }
    : request.type === "remove_member" ? { _tag: "Remove", node: request.node }
    : { _tag: "Reconfigure", voters: request.voters, learners: request.learners ?? [] }

/**
 * Serves operators' requests on any node. `members` and `status` are
 * answered by the node asked, from what it knows. The others are the leader's: a leader carries
 * them out (in `scope`, so no dispatcher waits on them) and answers once
 * done; another node passes a client's on to the leader it knows and relays
 * the answer (a peer's is not passed on again: leadership moved meanwhile).
 */
export const makeAdminRequests = (raft: Raft, network: NetworkShape, scope: Scope.Scope, requestTimeoutMs: number) => {
  const leaderOnly = (
    envelope: Envelope,
    request: AdminRequest,
    responder: Responder,
    lead: Effect.Effect<Body>
  ): Effect.Effect<void> =>
    Effect.flatMap(raft.status, (status) => {
      const unavailable = (why: string) => responder.answer(errorReply(ErrorCode.temporarilyUnavailable, why))
      if (status.role === "leader") return Effect.asVoid(Effect.forkIn(Effect.flatMap(lead, responder.answer), scope))
      if (status.leaderId === null) return Effect.flatMap(noLeaderKnown(raft), responder.answer)
      if (raft.peers.includes(envelope.src)) return unavailable(`${raft.self} does not lead (${status.leaderId} does)`)
      const { msg_id: _msgId, ...passedOn } = request
      return network.rpcThen(status.leaderId, passedOn, requestTimeoutMs, (answer) =>
        Either.match(answer, {
          onLeft: () =>
            responder.answer(errorReply(ErrorCode.timeout, `timed out waiting for leader ${status.leaderId}; it may have happened`)),
          onRight: ({ in_reply_to: _inReplyTo, msg_id: _msgId, ...reply }) => responder.answer(reply as Body)
        }))
    })

  const members: Effect.Effect<MembersOk> = Effect.flatMap(raft.configuration, (config) =>
    Effect.map(raft.status, (status) => ({
      type: "members_ok",
      voters: config.voters,
      learners: config.learners,
      ...(config.outgoing === undefined ? {} : { outgoing: config.outgoing }),
      leader: status.leaderId,
      term: status.term
    })))

  const status: Effect.Effect<StatusOk> = Effect.flatMap(raft.status, (status) =>
    Effect.map(raft.progress, (progress) => ({
      type: "status_ok",
      node: status.self,
      role: status.role,
      term: status.term,
      leader: status.leaderId,
      commit_index: progress.commitIndex,
      applied_index: progress.appliedIndex,
      log_entries: progress.lastLogIndex - progress.firstLogIndex + 1,
      last_log_index: progress.lastLogIndex,
      snapshot_index: progress.snapshotIndex
    })))

  return (envelope: Envelope, request: AdminRequest, responder: Responder): Effect.Effect<void> => {
    switch (request.type) {
      case "members":
        return Effect.flatMap(members, responder.answer)
      case "status":
        return Effect.flatMap(status, responder.answer)
      case "transfer_leadership":
        return leaderOnly(envelope, request, responder, raft.handOver(request.to).pipe(
          Effect.match({
            onFailure: (failed) => errorReply(ErrorCode.temporarilyUnavailable, `no hand-over: ${failed.message}`),
            onSuccess: (leader): Body => ({ type: "transfer_leadership_ok", leader } satisfies TransferLeadershipOk)
          })
        ))
      default:
        return leaderOnly(envelope, request, responder, raft.changeMembership(membershipRequest(request)).pipe(
          Effect.match({
            onFailure: changeFailedReply,
            onSuccess: (config): Body => changeOk(`${request.type}_ok`, config)
          })
        ))
    }
  }
}
