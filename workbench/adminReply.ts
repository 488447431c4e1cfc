import { Effect, Either, Option, Schema, type Scope } from "effect"
import { describeParseError } from "../foundation/describeParseError.js"
import { ErrorFromNode } from "../linkv/outcome.js"
import { isDefinite } from "../src/protocol/errorCodes.js"
import type { Body, Envelope } from "../src/protocol/envelope.js"
import { openClientLink } from "./client.js"
import type { Router } from "./router.js"

/** How the nemesis reaches the nodes as an operator: through the router, as a client, with the client timeout. */
export interface OperatorLink {
  readonly router: Router
  readonly freshClientId: Effect.Effect<string>
  readonly timeoutMs: number
  /** Where the clients' timer fibers live. */
  readonly scope: Scope.Scope
}

/** Sends `body` to `node` from a fresh client id, as an operator's tool would, and waits for the reply within the client timeout. */
export const askAsOperator = (operator: OperatorLink, node: string, body: Body): Effect.Effect<Option.Option<Envelope>> =>
  Effect.gen(function*() {
    const link = yield* openClientLink(operator.router, node, yield* operator.freshClientId, operator.scope)
    return yield* Effect.ensuring(link.request(body, operator.timeoutMs), link.close)
  })

/**
 * An operator's request that was not carried out, for results.json:
 * `refused` on a definite error (it did not happen); `indeterminate` when no
 * reply came in time, or an indefinite or malformed one (it may or may not
 * have happened), with the code the history would record (0: no reply,
 * 13: malformed).
 */
export interface NotInstalled {
  readonly outcome: "refused" | "indeterminate"
  readonly code: number
  readonly text: string
}

const isError = Schema.is(ErrorFromNode)

/**
 * Judges replies to one kind of operator's request (a leadership transfer,
 * a membership change), whose _ok reply `ok` decodes and `installed` reads;
 * `okShape` is that reply in words, for a node that sends something else.
 * The judge takes the reply (none: it did not come within `timeoutMs`).
 */
export const adminReplyJudge = <Ok, Installed>(
  ok: Schema.Schema<Ok, any>,
  okShape: string,
  installed: (reply: Ok) => Installed
) => {
  const decode = Schema.decodeUnknownEither(Schema.Union(ok, ErrorFromNode))
  const expected = `${okShape} | {"type": "error", "code": INT, "text"?: STRING}`
  return (reply: Option.Option<Envelope>, timeoutMs: number): Installed | NotInstalled => {
    if (Option.isNone(reply)) return { outcome: "indeterminate", code: 0, text: `no reply within ${timeoutMs} ms` }
    const decoded = decode(reply.value.body)
    if (Either.isLeft(decoded)) {
      return { outcome: "indeterminate", code: 13, text: `malformed reply: ${describeParseError(decoded.left)}; expected ${expected}` }
    }
    const answer = decoded.right
    if (isError(answer)) {
      return { outcome: isDefinite(answer.code) ? "refused" : "indeterminate", code: answer.code, text: answer.text ?? "" }
    }
    return installed(answer)
  }
}

/** A refused or indeterminate request's outcome in words: `refused, error 11 (n1 does not lead)`. */
export const describeNotInstalled = (outcome: NotInstalled): string =>
  `${outcome.outcome}, error ${outcome.code}${outcome.text === "" ? "" : ` (${outcome.text})`}`
