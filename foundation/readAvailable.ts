import type { Readable } from "node:stream"
import { Data, Effect } from "effect"

/** A stream of input failed while it was read. */
export class InputFailed extends Data.TaggedError("InputFailed")<{ readonly cause: unknown }> {
  override get message() {
    return `reading input failed: ${this.cause instanceof Error ? this.cause.message : String(this.cause)}`
  }
}

/**
 * Everything `input` holds now (all of it, in one buffer), waiting while it
 * holds nothing; null once it has ended. One wake-up of the reader per burst
 * of input, with no stream machinery between the bytes and their handler: a
 * node reads every message this way, and an Effect Stream over stdin cost
 * several fiber steps per chunk (bench/perf/results.md). One reader at a time.
 */
export const readAvailable = (input: Readable): Effect.Effect<Buffer | null, InputFailed> =>
  Effect.async<Buffer | null, InputFailed>((resume) => {
    const stop = () => {
      input.off("readable", attempt)
      input.off("end", ended)
      input.off("error", failed)
    }
    function attempt() {
      const data: Buffer | string | null = input.read()
      if (data !== null) {
        stop()
        resume(Effect.succeed(typeof data === "string" ? Buffer.from(data) : data))
      } else if (input.readableEnded) {
        ended()
      }
    }
    function ended() {
      stop()
      resume(Effect.succeed(null))
    }
    function failed(cause: unknown) {
      stop()
      resume(Effect.fail(new InputFailed({ cause })))
    }
    input.on("readable", attempt)
    input.on("end", ended)
    input.on("error", failed)
    attempt()
    return Effect.sync(stop)
  })
