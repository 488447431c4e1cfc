import { Cause } from "effect"

/** The one-line reason of a failure, e.g. a LogError's file, byte offset and error code. */
export const describeFailure = (cause: Cause.Cause<unknown>): string => {
  const error = Cause.squash(cause)
  return error instanceof Error ? error.message : String(error)
}
