import { Either, Schema } from "effect"
import { ErrorCode } from "../protocol/errorCodes.js"
import { errorReply } from "../protocol/kvMessages.js"
import type { CounterCommand, CounterReply } from "./counterMessages.js"

/** The counter's semantics as pure functions over its value, which starts at 0. */

export const initialCounter = 0

/**
 * An add, applied: the new value and the reply. An add whose sum would not
 * be a safe integer is refused (error 22) on every node alike, so the value
 * stays exact.
 */
export const applyToCounter = (value: number, command: CounterCommand): readonly [CounterReply, number] => {
  const sum = value + command.delta
  return Number.isSafeInteger(sum)
    ? [{ type: "add_ok" }, sum]
    : [errorReply(ErrorCode.preconditionFailed, `adding ${command.delta} to ${value} leaves the safe integers`), value]
}

/** The counter as a JSON snapshot. */
export const counterToJson = (value: number) => ({ value })

const CounterSnapshot = Schema.Struct({ value: Schema.Int })
const decodeSnapshot = Schema.decodeUnknownEither(CounterSnapshot)

/** The value a snapshot holds, or why it holds none. */
export const counterFromJson = (snapshot: unknown): Either.Either<number, string> =>
  Either.match(decodeSnapshot(snapshot), {
    onLeft: (error) => Either.left(`not {"value": <integer>}: ${error.message}`),
    onRight: ({ value }) => Either.right(value)
  })
