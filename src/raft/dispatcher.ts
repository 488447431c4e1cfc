import { quickDecoder } from "../../foundation/quickDecoder.js"
import { Cause, Effect, Either, Queue, Schema } from "effect"
import type { Envelope, NodeId } from "../../services/Network.js"
import { describeParseError } from "../../foundation/describeParseError.js"
import { AppendEntries, InstallSnapshot, LogTipQuery, RequestVote, TimeoutNow } from "../protocol/raftMessages.js"
import { handleRequestVote } from "./election.js"
import { handleAppendEntries } from "./follower.js"
import { handleTimeoutNow } from "./handOver.js"
import type { RaftContext } from "./RaftContext.js"
import { answerLogTip } from "./recovery.js"
import { handleInstallSnapshot } from "./snapshotReceiver.js"

/** Raft's own requests, by type. */
const raftSchemas = [RequestVote, AppendEntries, InstallSnapshot, LogTipQuery, TimeoutNow] as const
export type RaftRequest = Schema.Schema.Type<(typeof raftSchemas)[number]>
const decoders = new Map(
  raftSchemas.map((schema) => [
    schema.fields.type.literals[0] as string,
    quickDecoder(schema as Schema.Schema<RaftRequest, unknown>, { errors: "all" })
  ])
)

/** Why one of Raft's requests is not obeyed: it does not decode, or it is not from a member speaking for itself. */
export interface MessageRefusal {
  readonly _tag: "Malformed" | "NotFromMember"
  readonly text: string
}

/**
 * What an application on the engine does with the messages that are not
 * Raft's, and how it answers one of Raft's that is refused (its protocol's
 * error replies are its own).
 */
export interface RaftApplication {
  readonly handle: (envelope: Envelope) => Effect.Effect<void>
  readonly refuse: (envelope: Envelope, refusal: MessageRefusal) => Effect.Effect<void>
}

/**
 * Why a Raft request is refused for who sent it, or undefined when it is
 * not: Raft's RPCs are obeyed only from the other members of the cluster,
 * each speaking for itself.
 */
export const refusal = (request: RaftRequest, src: NodeId, peers: ReadonlyArray<NodeId>): MessageRefusal | undefined => {
  if (!peers.includes(src)) {
    return {
      _tag: "NotFromMember",
      text: `${request.type} is accepted only from the other cluster members (${peers.join(", ")}), not from ${src}`
    }
  }
  if (request.type === "log_tip") return undefined
  const claimed = request.type === "request_vote" ? ["candidate_id", request.candidate_id] as const
    : ["leader_id", request.leader_id] as const
  if (claimed[1] !== src) {
    return { _tag: "Malformed", text: `malformed ${request.type}: ${claimed[0]} ${claimed[1]} is not its sender ${src}` }
  }
  return undefined
}

/**
 * Reads incoming messages until the network closes, handling each in arrival
 * order, one at a time: Raft's own here, every other one by the application,
 * which takes it in without waiting for its outcome, so none holds up the next.
 */
export const dispatcher = (context: RaftContext, application: RaftApplication) =>
  Effect.gen(function*() {
    const handle = (envelope: Envelope): Effect.Effect<void> => {
      const decode = decoders.get(envelope.body.type)
      if (decode === undefined) return application.handle(envelope)
      const decoded = decode(envelope.body)
      if (Either.isLeft(decoded)) {
        return application.refuse(envelope, {
          _tag: "Malformed",
          text: `malformed ${envelope.body.type}: ${describeParseError(decoded.left)}`
        })
      }
      const request = decoded.right
      const refused = refusal(request, envelope.src, context.peers)
      if (refused !== undefined) return application.refuse(envelope, refused)
      switch (request.type) {
        case "request_vote":
          return handleRequestVote(context, envelope, request)
        case "append_entries":
          return handleAppendEntries(context, envelope, request)
        case "install_snapshot":
          return handleInstallSnapshot(context, envelope, request)
        case "log_tip":
          return answerLogTip(context, envelope, request)
        case "timeout_now":
          return handleTimeoutNow(context, envelope, request)
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
