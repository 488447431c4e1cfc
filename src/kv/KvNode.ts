import { Cause, Effect } from "effect"
import { Network } from "../../services/Network.js"
import { describeFailure } from "../../foundation/describeFailure.js"
import { ErrorCode } from "../protocol/errorCodes.js"
import { errorReply } from "../protocol/kvMessages.js"
import { type RaftNodeOptions, runRaftNode } from "../raft/RaftNode.js"
import { makeInFlightRequests } from "./InFlightRequests.js"
import { makeKvApplication } from "./KvApplication.js"

/**
 * A lin-kv node: the Raft engine with the lin-kv application on it. If the
 * node stops on a failure, every request it has not answered gets an
 * indefinite error saying why.
 */
export const runKvNodeWith = (options: RaftNodeOptions) =>
  Effect.gen(function*() {
    const network = yield* Network
    const inFlight = makeInFlightRequests(network)
    yield* runRaftNode((raft) => makeKvApplication(raft, network, inFlight), options).pipe(
      Effect.onError((cause) =>
        Cause.isInterruptedOnly(cause)
          ? Effect.void
          : inFlight.answerAll(
            errorReply(ErrorCode.crash, `${network.self} stopped: ${describeFailure(cause)}; the operation may or may not have happened`)
          )
      )
    )
  })

/** A lin-kv node whose interruption is a crash (the simulator, tests). */
export const runKvNode = runKvNodeWith({})
