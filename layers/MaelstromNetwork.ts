import * as NodeStream from "@effect/platform-node/NodeStream"
import { Context, Data, Deferred, Effect, Either, Layer, Queue, Schema, Stream } from "effect"
import { Network } from "../services/Network.js"
import { NodeStartup } from "../services/NodeStartup.js"
import { describeParseError } from "../src/protocol/describeParseError.js"
import { type Envelope, EnvelopeFromJson } from "../src/protocol/envelope.js"
import { ErrorCode } from "../src/protocol/errorCodes.js"
import { errorReply, InitRequest } from "../src/protocol/kvMessages.js"
import { makeNetworkCore, type NetworkCore } from "./networkCore.js"

/** Stdin ended before Maelstrom's init arrived: there is no node to run. */
export class StdinClosedBeforeInit extends Data.TaggedError("StdinClosedBeforeInit")<{}> {}

const decodeLine = Schema.decodeUnknownEither(EnvelopeFromJson)
const encodeLine = Schema.encodeSync(EnvelopeFromJson)
const decodeInit = Schema.decodeUnknownEither(InitRequest)

const writeLine = (envelope: Envelope) => Effect.sync(() => void process.stdout.write(`${encodeLine(envelope)}\n`))

/** The `src` and `msg_id` of a line that is JSON but not a valid envelope, if it has both. */
const replyAddress = (line: string): { src: string; dest: string; msgId: number } | undefined => {
  try {
    const value = JSON.parse(line)
    if (typeof value?.src === "string" && Number.isInteger(value?.body?.msg_id)) {
      return { src: value.src, dest: typeof value.dest === "string" ? value.dest : "", msgId: value.body.msg_id }
    }
  } catch {
    // not JSON at all: nobody to answer
  }
  return undefined
}

/** The init message, and the network it set up. */
interface Initialized {
  readonly init: Envelope
  readonly core: NetworkCore
}

/**
 * The Network of a node run by Maelstrom: JSON lines on stdin and stdout. The
 * layer is ready once the init message has arrived; requests before it get
 * error 11. Init is answered through NodeStartup once the node's other
 * services are built: init_ok, or an error saying why the node cannot start.
 * A line that is not a valid message is logged and skipped, answered with
 * error 12 when it has a msg_id.
 * When stdin closes, the incoming queue shuts down, which ends the node.
 */
export const MaelstromNetwork = Layer.scopedContext(
  Effect.gen(function*() {
    const ready = yield* Deferred.make<Initialized, StdinClosedBeforeInit>()

    const rejectMalformed = (line: string, problem: string) =>
      Effect.gen(function*() {
        yield* Effect.logWarning(`malformed message skipped: ${problem}\n  line: ${line.slice(0, 500)}`)
        const address = replyAddress(line)
        if (address === undefined) return
        yield* writeLine({
          src: address.dest,
          dest: address.src,
          body: { ...errorReply(ErrorCode.malformedRequest, problem), in_reply_to: address.msgId }
        })
      })

    const beforeInit = (envelope: Envelope) =>
      Effect.gen(function*() {
        const reply = (body: Record<string, unknown> & { type: string }) =>
          envelope.body.msg_id === undefined
            ? Effect.void
            : writeLine({
              src: envelope.dest,
              dest: envelope.src,
              body: { ...body, in_reply_to: envelope.body.msg_id }
            })
        if (envelope.body.type !== "init") {
          return yield* reply(errorReply(ErrorCode.temporarilyUnavailable, "not initialized yet: init comes first"))
        }
        const init = decodeInit(envelope.body)
        if (Either.isLeft(init)) {
          const problem = describeParseError(init.left)
          return yield* reply(errorReply(ErrorCode.malformedRequest, `bad init: ${problem}`))
        }
        const { node_id: self, node_ids: nodeIds } = init.right
        const core = yield* makeNetworkCore({ self, nodeIds, transmit: writeLine })
        yield* Deferred.succeed(ready, { init: envelope, core })
      })

    const handleLine = (line: string) =>
      Effect.gen(function*() {
        if (line.trim() === "") return
        const decoded = decodeLine(line)
        if (Either.isLeft(decoded)) {
          return yield* rejectMalformed(line, describeParseError(decoded.left))
        }
        const core = yield* Deferred.poll(ready)
        if (core._tag === "None") return yield* beforeInit(decoded.right)
        const initialized = (yield* core.value).core
        if (decoded.right.body.type === "init") {
          return yield* Effect.logWarning("a second init was ignored")
        }
        yield* initialized.deliver(decoded.right)
      })

    yield* NodeStream.stdin.pipe(
      Stream.decodeText(),
      Stream.splitLines,
      Stream.runForEach(handleLine),
      Effect.zipRight(Effect.logInfo("stdin closed")),
      Effect.zipRight(Deferred.fail(ready, new StdinClosedBeforeInit())),
      Effect.zipRight(Deferred.await(ready)),
      Effect.flatMap(({ core }) => Queue.shutdown(core.network.incoming)),
      Effect.ignore,
      Effect.forkScoped
    )
    const { core, init } = yield* Deferred.await(ready)
    const answerInit = (body: Record<string, unknown> & { type: string }) =>
      init.body.msg_id === undefined
        ? Effect.void
        : writeLine({ src: init.dest, dest: init.src, body: { ...body, in_reply_to: init.body.msg_id } })
    return Context.make(Network, core.network).pipe(
      Context.add(NodeStartup, {
        ready: Effect.zipRight(
          answerInit({ type: "init_ok" }),
          Effect.logInfo(`initialized as ${core.network.self} of ${core.network.nodeIds.join(",")}`)
        ),
        cannotStart: (reason) => answerInit(errorReply(ErrorCode.crash, `cannot start: ${reason}`))
      })
    )
  })
)
