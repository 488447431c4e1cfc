import { NodeRuntime, NodeStream } from "@effect/platform-node"
import { Effect, Either, Ref, Schema, Stream } from "effect"
import { StderrLogger } from "../../layers/StderrLogger.js"
import { applyToKvStore, emptyKvStore } from "../../src/kv/KvStore.js"
import { type Body, type Envelope, EnvelopeFromJson } from "../../src/protocol/envelope.js"
import { ErrorCode } from "../../src/protocol/errorCodes.js"
import { errorReply, InitRequest, KvReply, KvRequest } from "../../src/protocol/kvMessages.js"

/**
 * The two reference nodes of the workbench, which need no replication:
 * - `single`: the first node holds the only copy of the data; the others
 *   relay requests to it. Linearizable, and as fast as a node can be: the
 *   ceiling of what the workbench can measure.
 * - `local`: every node answers from its own map. Not linearizable with more
 *   than one node, so the checker must catch it.
 */
export type ReferenceMode = "single" | "local"

/** What a relaying node sends the data holder, and what comes back. */
const Relay = Schema.Struct({ type: Schema.Literal("relay"), msg_id: Schema.Int, request: KvRequest })
const RelayOk = Schema.Struct({ type: Schema.Literal("relay_ok"), in_reply_to: Schema.Int, reply: KvReply })

const decodeLine = Schema.decodeEither(EnvelopeFromJson)
const encodeLine = Schema.encodeSync(EnvelopeFromJson)
const decodeInit = Schema.decodeUnknownEither(InitRequest)
const decodeRequest = Schema.decodeUnknownEither(KvRequest)
const decodeRelay = Schema.decodeUnknownEither(Relay)
const decodeRelayOk = Schema.decodeUnknownEither(RelayOk)
const encodeBody = (schema: Schema.Schema<any, any>, body: unknown) => Schema.encodeSync(schema)(body) as Body

const send = (src: string, dest: string, body: Body) =>
  Effect.sync(() => void process.stdout.write(`${encodeLine({ src, dest, body })}\n`))

const program = (mode: ReferenceMode) =>
  Effect.gen(function*() {
    const store = yield* Ref.make(emptyKvStore)
    const identity = yield* Ref.make<{ self: string; holder: string } | undefined>(undefined)
    const nextMsgId = yield* Ref.make(0)
    /** Relayed requests waiting for the holder: our msg_id -> the client to answer. */
    const relayed = new Map<number, { client: string; msgId: number | undefined }>()

    const reply = (self: string, to: Envelope, body: Body) =>
      to.body.msg_id === undefined ? Effect.void : send(self, to.src, { ...body, in_reply_to: to.body.msg_id })
    const apply = (request: KvRequest) => Ref.modify(store, (kv) => applyToKvStore(kv, request))

    const handle = (envelope: Envelope) =>
      Effect.gen(function*() {
        const me = yield* Ref.get(identity)
        const body = envelope.body
        if (me === undefined) {
          const init = decodeInit(body)
          if (Either.isLeft(init)) {
            return yield* reply(envelope.dest, envelope, errorReply(ErrorCode.temporarilyUnavailable, "init comes first"))
          }
          const self = init.right.node_id
          yield* Ref.set(identity, { self, holder: mode === "single" ? init.right.node_ids[0]! : self })
          return yield* reply(self, envelope, { type: "init_ok" })
        }
        const relay = decodeRelay(body)
        if (Either.isRight(relay)) {
          const answer = yield* apply(relay.right.request)
          return yield* send(me.self, envelope.src, encodeBody(RelayOk, { type: "relay_ok", in_reply_to: relay.right.msg_id, reply: answer }))
        }
        const relayOk = decodeRelayOk(body)
        if (Either.isRight(relayOk)) {
          const waiting = relayed.get(relayOk.right.in_reply_to)
          relayed.delete(relayOk.right.in_reply_to)
          if (waiting === undefined || waiting.msgId === undefined) return
          return yield* send(me.self, waiting.client, { ...encodeBody(KvReply, relayOk.right.reply), in_reply_to: waiting.msgId })
        }
        const request = decodeRequest(body)
        if (Either.isLeft(request)) {
          return yield* reply(me.self, envelope, errorReply(ErrorCode.notSupported, `cannot handle a ${body.type} message`))
        }
        if (me.holder === me.self) return yield* reply(me.self, envelope, encodeBody(KvReply, yield* apply(request.right)))
        const msgId = yield* Ref.updateAndGet(nextMsgId, (n) => n + 1)
        relayed.set(msgId, { client: envelope.src, msgId: body.msg_id })
        yield* send(me.self, me.holder, encodeBody(Relay, { type: "relay", msg_id: msgId, request: request.right }))
      })

    yield* NodeStream.stdin.pipe(
      Stream.decodeText(),
      Stream.splitLines,
      Stream.runForEach((line) => {
        const decoded = decodeLine(line)
        return Either.isRight(decoded) ? handle(decoded.right) : Effect.logWarning(`skipped a line that is not a message: ${line}`)
      })
    )
  })

export const runReferenceNode = (mode: ReferenceMode) =>
  NodeRuntime.runMain(program(mode).pipe(Effect.provide(StderrLogger(process.env.LOG_LEVEL))), { disableErrorReporting: true, disablePrettyLogger: true })
