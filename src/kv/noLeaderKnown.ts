import { Effect } from "effect"
import { ErrorCode } from "../protocol/errorCodes.js"
import { type ErrorReply, errorReply } from "../protocol/kvMessages.js"
import { membersOf } from "../raft/configurations.js"
import type { Raft } from "../raft/Raft.js"

/**
 * The answer of a node that knows no leader to pass a request on to: a
 * member asks the client to try again (11); a node the configuration left
 * out may never hear of a leader again, so it says so (40: ask a member).
 */
export const noLeaderKnown = (raft: Raft): Effect.Effect<ErrorReply> =>
  Effect.map(raft.configuration, (config) =>
    membersOf(config).has(raft.self)
      ? errorReply(ErrorCode.temporarilyUnavailable, "no leader heard from within an election timeout; try again")
      : errorReply(ErrorCode.notAMember, `${raft.self} is not a member of the cluster and knows no leader; ask a member`))
