import { Effect, Ref } from "effect"
import { expectedReplyShape } from "../linkv/outcome.js"

/** Replies the clients could not decode (each recorded as error 13 in the history), for results.json and the summary. */
export interface MalformedReplies {
  readonly count: number
  /** The first one: which node sent it, what it was, and what was wrong. */
  readonly sample: { readonly node: string; readonly body: string; readonly problem: string } | null
  readonly expected: string
}

export interface MalformedReplyLog {
  readonly record: (node: string, body: unknown, problem: string) => Effect.Effect<void>
  readonly replies: Effect.Effect<MalformedReplies>
}

export const makeMalformedReplyLog: Effect.Effect<MalformedReplyLog> = Effect.map(
  Ref.make<MalformedReplies>({ count: 0, sample: null, expected: expectedReplyShape }),
  (log) => ({
    record: (node, body, problem) =>
      Ref.update(log, (seen) => ({
        ...seen,
        count: seen.count + 1,
        sample: seen.sample ?? { node, body: JSON.stringify(body).slice(0, 300), problem }
      })),
    replies: Ref.get(log)
  })
)
