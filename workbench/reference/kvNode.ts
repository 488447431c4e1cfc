import { NodeRuntime } from "@effect/platform-node"
import { Effect, Either, FiberSet, Ref, Schema, Stream } from "effect"
import { MaelstromNetwork } from "../../layers/MaelstromNetwork.js"
import { StderrLogger } from "../../foundation/StderrLogger.js"
import { Network } from "../../services/Network.js"
import { NodeStartup } from "../../services/NodeStartup.js"
import { applyToKvStore, emptyKvStore } from "../../src/kv/KvStore.js"
import type { Body, Envelope } from "../../src/protocol/envelope.js"
import { ErrorCode } from "../../src/protocol/errorCodes.js"
import { errorReply, KvReply, KvRequest } from "../../src/protocol/kvMessages.js"

/**
 * The two reference nodes of the workbench, which need no replication:
 * - `single`: the first node holds the only copy of the data; the others
 *   relay requests to it. Linearizable, and as fast as a node on our network
 *   layer can be: the ceiling of what the workbench can measure.
 * - `local`: every node answers from its own map. Not linearizable with more
 *   than one node, so the checker must catch it.
 * Both speak Maelstrom through the same network layer as the Raft node
 * (stdin/stdout, init, msg ids, RPCs), so a comparison measures Raft alone.
 */
export type ReferenceMode = "single" | "local"

/** What a relaying node sends the data holder, and what comes back. */
const Relay = Schema.Struct({ type: Schema.Literal("relay"), request: KvRequest })
const RelayOk = Schema.Struct({ type: Schema.Literal("relay_ok"), reply: KvReply })

const decodeRequest = Schema.decodeUnknownEither(KvRequest)
const decodeRelay = Schema.decodeUnknownEither(Relay)
const decodeRelayOk = Schema.decodeUnknownEither(RelayOk)
const encodeBody = <A, I>(schema: Schema.Schema<A, I>, body: A) => Schema.encodeSync(schema)(body) as Body

const relayTimeoutMs = 5000

const program = (mode: ReferenceMode) =>
  Effect.gen(function*() {
    const network = yield* Network
    const store = yield* Ref.make(emptyKvStore)
    const holder = mode === "single" ? network.nodeIds[0]! : network.self
    const apply = (request: KvRequest) => Ref.modify(store, (kv) => applyToKvStore(kv, request))

    const answer = (envelope: Envelope): Effect.Effect<Body> =>
      Effect.gen(function*() {
        const relay = decodeRelay(envelope.body)
        if (Either.isRight(relay)) return encodeBody(RelayOk, { type: "relay_ok" as const, reply: yield* apply(relay.right.request) })
        const request = decodeRequest(envelope.body)
        if (Either.isLeft(request)) return errorReply(ErrorCode.notSupported, `cannot handle a ${envelope.body.type} message`)
        if (holder === network.self) return encodeBody(KvReply, yield* apply(request.right))
        const noAnswer = errorReply(ErrorCode.timeout, `no answer from ${holder}; the operation may or may not have happened`)
        return yield* network.rpc(holder, encodeBody(Relay, { type: "relay" as const, request: request.right }), relayTimeoutMs).pipe(
          Effect.map((body) =>
            Either.match(decodeRelayOk(body), { onLeft: () => noAnswer, onRight: (ok) => encodeBody(KvReply, ok.reply) })
          ),
          Effect.catchTag("RpcTimeout", () => Effect.succeed(noAnswer))
        )
      })

    yield* (yield* NodeStartup).ready
    const requests = yield* FiberSet.make()
    yield* Stream.fromQueue(network.incoming).pipe(
      Stream.runForEach((envelope) => FiberSet.run(requests, Effect.flatMap(answer(envelope), (body) => network.reply(envelope, body))))
    )
  }).pipe(Effect.scoped, Effect.provide(MaelstromNetwork))

export const runReferenceNode = (mode: ReferenceMode) =>
  NodeRuntime.runMain(program(mode).pipe(Effect.provide(StderrLogger(process.env.LOG_LEVEL))), {
    disableErrorReporting: true,
    disablePrettyLogger: true
  })
