import { Context, Data, Deferred, Effect, Either, Layer, Queue, Schema, type Scope } from "effect"
import { Network } from "../services/Network.js"
import { NodeStartup } from "../services/NodeStartup.js"
import { type BoundedLine, makeBoundedLineSplitter } from "../src/protocol/boundedLines.js"
import { readAvailable } from "../foundation/readAvailable.js"
import { describeParseError } from "../foundation/describeParseError.js"
import { encodeEnvelope, type Envelope } from "../src/protocol/envelope.js"
import { ErrorCode } from "../src/protocol/errorCodes.js"
import { type IncomingLine, readIncomingLine } from "../src/protocol/incomingLine.js"
import { errorReply, InitRequest } from "../src/protocol/kvMessages.js"
import { maxLineBytes } from "../src/protocol/wireLimits.js"
import { makeNetworkCore, type NetworkCore } from "../src/network/networkCore.js"
import { makeBacklog } from "../foundation/Backlog.js"

/** Stdin ended before Maelstrom's init arrived: there is no node to run. */
export class StdinClosedBeforeInit extends Data.TaggedError("StdinClosedBeforeInit")<{}> {}

const decodeInit = Schema.decodeUnknownEither(InitRequest, { errors: "all" })

/**
 * Messages leave in batches, one write for all those queued meanwhile: a
 * write per message cost a system call (and a wake-up of the reader) each.
 * Returns how a message is queued; one that cannot be encoded is logged and dropped.
 */
const makeStdoutWriter = Effect.gen(function*() {
  const lines = yield* makeBacklog<string>()
  const write = (batch: ReadonlyArray<string>) => Effect.sync(() => void (batch.length > 0 && process.stdout.write(batch.join(""))))
  // When the node stops, what is still queued (the stop's own answers among it) goes out too.
  yield* Effect.addFinalizer(() => Effect.flatMap(lines.takeNow, write))
  yield* Effect.forkScoped(Effect.forever(Effect.flatMap(lines.takeAll, write)))
  return (envelope: Envelope): Effect.Effect<void> => {
    const encoded = encodeEnvelope(envelope)
    return Either.isLeft(encoded)
      ? Effect.logError(`message ${envelope.body.type} to ${envelope.dest} dropped: it cannot be encoded: ${encoded.left.reason}`)
      : lines.add(`${encoded.right}\n`)
  }
})

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
    const writeLine = yield* makeStdoutWriter

    const ready = yield* Deferred.make<Initialized, StdinClosedBeforeInit>()
    // Set once, by the reader, when a valid init arrives.
    let core: NetworkCore | undefined

    const rejectMalformed = ({ address, problem, text }: Extract<IncomingLine, { _tag: "Malformed" }>) =>
      Effect.gen(function*() {
        yield* Effect.logWarning(`malformed message skipped: ${problem}\n  line: ${text.slice(0, 500)}`)
        if (address === undefined) return
        const me = core === undefined ? address.dest : core.network.self
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
        core = yield* makeNetworkCore({ self, nodeIds, transmit: writeLine })
        yield* Deferred.succeed(ready, { init: envelope, core })
      })

    const handleLine = (line: IncomingLine): Effect.Effect<void, never, Scope.Scope> => {
      switch (line._tag) {
        case "Message":
          if (core === undefined) return beforeInit(line.envelope)
          return line.envelope.body.type === "init" ? Effect.logWarning("a second init was ignored") : core.deliver(line.envelope)
        case "Blank":
          return Effect.void
        case "TooLong":
          return Effect.logWarning(
            `a line of ${line.bytes} bytes skipped unread (the limit is ${maxLineBytes} bytes); its sender cannot be answered`
          )
        case "Malformed":
          return rejectMalformed(line)
      }
    }

    // The lines of one read are read without effects, then handled in order.
    // Whatever a line does, the reader goes on: a defect handling one line is logged, not fatal.
    const handleLines = (lines: ReadonlyArray<BoundedLine>) =>
      Effect.forEach(
        lines,
        (line) =>
          Effect.catchAllDefect(
            handleLine(readIncomingLine(line)),
            (defect) => Effect.logError("a line could not be handled; skipped", defect)
          ),
        { discard: true }
      )
    const splitter = makeBoundedLineSplitter(maxLineBytes)
    const readLines = Effect.gen(function*() {
      while (true) {
        const bytes = yield* readAvailable(process.stdin)
        if (bytes === null) return yield* handleLines(splitter.end())
        yield* handleLines(splitter.push(bytes))
      }
    })

    const endOfInput = Deferred.fail(ready, new StdinClosedBeforeInit()).pipe(
      Effect.zipRight(Deferred.await(ready)),
      Effect.flatMap(({ core }) => Queue.shutdown(core.network.incoming)),
      Effect.ignore
    )
    yield* readLines.pipe(
      Effect.catchAllCause((cause) => Effect.logError("reading stdin failed", cause)),
      Effect.zipRight(Effect.logInfo("stdin closed")),
      Effect.zipRight(endOfInput),
      Effect.forkScoped
    )
    const { core: { network }, init } = yield* Deferred.await(ready)
    const answerInit = (body: Record<string, unknown> & { type: string }) =>
      init.body.msg_id === undefined
        ? Effect.void
        : writeLine({ src: init.dest, dest: init.src, body: { ...body, in_reply_to: init.body.msg_id } })
    return Context.make(Network, network).pipe(
      Context.add(NodeStartup, {
        ready: Effect.zipRight(
          answerInit({ type: "init_ok" }),
          Effect.logInfo(`initialized as ${network.self} of ${network.nodeIds.join(",")}`)
        ),
        cannotStart: (reason) => answerInit(errorReply(ErrorCode.crash, `cannot start: ${reason}`))
      })
    )
  })
)
