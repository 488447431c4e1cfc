import * as NodeStream from "@effect/platform-node/NodeStream"
import { Chunk, Context, Data, Deferred, Effect, Either, Layer, Queue, Schema, Stream } from "effect"
import { Network } from "../services/Network.js"
import { NodeStartup } from "../services/NodeStartup.js"
import { type BoundedLine, splitBoundedLines } from "../src/protocol/boundedLines.js"
import { describeParseError } from "../src/protocol/describeParseError.js"
import { type Envelope, EnvelopeFromJson } from "../src/protocol/envelope.js"
import { ErrorCode } from "../src/protocol/errorCodes.js"
import { errorReply, InitRequest } from "../src/protocol/kvMessages.js"
import { maxLineBytes, maxLineDepth, nestsDeeperThan } from "../src/protocol/wireLimits.js"
import { makeNetworkCore, type NetworkCore } from "../src/network/networkCore.js"

/** Stdin ended before Maelstrom's init arrived: there is no node to run. */
export class StdinClosedBeforeInit extends Data.TaggedError("StdinClosedBeforeInit")<{}> {}

const decodeLine = Schema.decodeUnknownEither(EnvelopeFromJson)
const encodeLine = Schema.encodeEither(EnvelopeFromJson)
const decodeInit = Schema.decodeUnknownEither(InitRequest, { errors: "all" })

/** Queues one message for stdout; one that cannot be encoded is logged and dropped. */
const queueLine = (outgoing: Queue.Enqueue<string>, envelope: Envelope) =>
  Either.match(encodeLine(envelope), {
    onLeft: (error) =>
      Effect.logError(
        `message ${envelope.body.type} to ${envelope.dest} dropped: it cannot be encoded: ${describeParseError(error)}`
      ),
    onRight: (line) => Queue.offer(outgoing, `${line}\n`)
  })

const writeToStdout = (lines: Chunk.Chunk<string>) => Effect.sync(() => void process.stdout.write(Chunk.join(lines, "")))

/** Where to answer a line that is JSON but not a valid envelope: its `src`, `dest` and `msg_id`, if usable. */
const replyAddress = (line: string): { src: string; dest: string; msgId: number } | undefined => {
  try {
    // JSON.parse is not recursive in V8: safe on any nesting. Only top-level fields are read.
    const value = JSON.parse(line)
    const msgId = value?.body?.msg_id
    if (typeof value?.src === "string" && typeof value?.dest === "string" && Number.isSafeInteger(msgId)) {
      return { src: value.src, dest: value.dest, msgId }
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
 * layer is ready once a valid init message has arrived; requests before it
 * get error 11, an invalid init error 12. A line
 * that is not a valid message is logged and skipped, answered with error 12
 * when it names a sender and a msg_id; a line longer or deeper than the wire
 * limits is refused before it is decoded. No line ends the reader; when stdin
 * closes, the incoming queue shuts down, which ends the node. Init is
 * answered through NodeStartup once the node's other services are built:
 * init_ok, or an error saying why the node cannot start.
 */
export const MaelstromNetwork = Layer.scopedContext(
  Effect.gen(function*() {
    // Messages leave in batches, one write for all those queued meanwhile: a
    // write per message cost a system call (and a wake-up of the reader) each.
    const outgoing = yield* Queue.unbounded<string>()
    // When the node stops, what is still queued (the stop's own answers among it) goes out too.
    yield* Effect.addFinalizer(() => Effect.flatMap(Queue.takeAll(outgoing), writeToStdout))
    yield* Effect.forkScoped(Effect.forever(Effect.flatMap(Queue.takeBetween(outgoing, 1, Infinity), writeToStdout)))
    const writeLine = (envelope: Envelope) => queueLine(outgoing, envelope)

    const ready = yield* Deferred.make<Initialized, StdinClosedBeforeInit>()
    const currentCore = Effect.map(
      Deferred.poll(ready),
      (initialized) => (initialized._tag === "Some" ? Effect.map(initialized.value, ({ core }) => core) : undefined)
    )

    const rejectMalformed = (line: string, problem: string) =>
      Effect.gen(function*() {
        yield* Effect.logWarning(`malformed message skipped: ${problem}\n  line: ${line.slice(0, 500)}`)
        const address = replyAddress(line)
        if (address === undefined) return
        const initialized = yield* currentCore
        const me = initialized === undefined ? address.dest : (yield* initialized).network.self
        if (address.dest !== me) return yield* Effect.logWarning(`not answered: addressed to ${address.dest}, not ${me}`)
        yield* writeLine({
          src: me,
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
          const problem = `bad init: ${describeParseError(init.left)}`
          yield* Effect.logWarning(`${problem}; still waiting for a valid init`)
          return yield* reply(errorReply(ErrorCode.malformedRequest, problem))
        }
        const { node_id: self, node_ids: nodeIds } = init.right
        const core = yield* makeNetworkCore({ self, nodeIds, transmit: writeLine })
        yield* Deferred.succeed(ready, { init: envelope, core })
      })

    const handleLine = (line: BoundedLine) =>
      Effect.gen(function*() {
        if (line._tag === "TooLong") {
          return yield* Effect.logWarning(
            `a line of ${line.bytes} bytes skipped unread (the limit is ${maxLineBytes} bytes); its sender cannot be answered`
          )
        }
        const text = line.text
        if (text.trim() === "") return
        if (nestsDeeperThan(text, maxLineDepth)) {
          return yield* rejectMalformed(text, `the message nests arrays and objects deeper than ${maxLineDepth} levels`)
        }
        const decoded = decodeLine(text)
        if (Either.isLeft(decoded)) {
          return yield* rejectMalformed(text, describeParseError(decoded.left))
        }
        const initialized = yield* currentCore
        if (initialized === undefined) return yield* beforeInit(decoded.right)
        if (decoded.right.body.type === "init") {
          return yield* Effect.logWarning("a second init was ignored")
        }
        yield* (yield* initialized).deliver(decoded.right)
      })

    // Whatever a line does, the reader goes on: a defect handling one line is logged, not fatal.
    const handleLineSafely = (line: BoundedLine) =>
      Effect.catchAllDefect(handleLine(line), (defect) => Effect.logError("a line could not be handled; skipped", defect))

    const endOfInput = Deferred.fail(ready, new StdinClosedBeforeInit()).pipe(
      Effect.zipRight(Deferred.await(ready)),
      Effect.flatMap(({ core }) => Queue.shutdown(core.network.incoming)),
      Effect.ignore
    )
    yield* NodeStream.stdin.pipe(
      splitBoundedLines(maxLineBytes),
      Stream.runForEach(handleLineSafely),
      Effect.catchAllCause((cause) => Effect.logError("reading stdin failed", cause)),
      Effect.zipRight(Effect.logInfo("stdin closed")),
      Effect.zipRight(endOfInput),
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
