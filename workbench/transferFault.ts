import { Effect, Either, Option, Random, Schema, type Scope } from "effect"
import { describeParseError } from "../foundation/describeParseError.js"
import { ErrorFromNode } from "../linkv/outcome.js"
import { TransferLeadership, TransferLeadershipOk } from "../src/protocol/adminMessages.js"
import { isDefinite } from "../src/protocol/errorCodes.js"
import type { Envelope } from "../src/protocol/envelope.js"
import { openClientLink } from "./client.js"
import type { Strike, StruckFault } from "./nemesis.js"
import type { Router } from "./router.js"

/**
 * What came of one `transfer_leadership` request, for results.json:
 * `installed` when the _ok reply named who leads now; `refused` on a
 * definite error (the hand-over did not happen); `indeterminate` when no
 * reply came in time, or an indefinite or malformed one (it may or may not
 * have happened), with the code the history would record (0: no reply,
 * 13: malformed).
 */
export type TransferOutcome =
  | { readonly outcome: "installed"; readonly leader: string }
  | { readonly outcome: "refused" | "indeterminate"; readonly code: number; readonly text: string }

/** One transfer strike: the node asked, the target named (null: the node's choice), and what came of it. */
export type TransferStrike = { readonly node: string; readonly to: string | null } & TransferOutcome

const TransferReply = Schema.Union(TransferLeadershipOk, ErrorFromNode)
const decodeReply = Schema.decodeUnknownEither(TransferReply)

/** The shape `TransferReply` accepts, in words, for a node that sent something else. */
const expectedShape = `{"type": "transfer_leadership_ok", "leader": NODE} | {"type": "error", "code": INT, "text"?: STRING}`

/** Judges the reply to a transfer request (none: it did not come within `timeoutMs`). */
export const transferOutcome = (reply: Option.Option<Envelope>, timeoutMs: number): TransferOutcome => {
  if (Option.isNone(reply)) return { outcome: "indeterminate", code: 0, text: `no reply within ${timeoutMs} ms` }
  const decoded = decodeReply(reply.value.body)
  if (Either.isLeft(decoded)) {
    return { outcome: "indeterminate", code: 13, text: `malformed reply: ${describeParseError(decoded.left)}; expected ${expectedShape}` }
  }
  const answer = decoded.right
  if (answer.type === "transfer_leadership_ok") return { outcome: "installed", leader: answer.leader }
  return { outcome: isDefinite(answer.code) ? "refused" : "indeterminate", code: answer.code, text: answer.text ?? "" }
}

/** A strike in words: `n1 asked to hand leadership to n2: installed, n2 leads`. */
export const describeTransfer = (strike: TransferStrike): string =>
  `${strike.node} asked to hand leadership ${strike.to === null ? "over" : `to ${strike.to}`}: ${strike.outcome}, ${
    strike.outcome === "installed" ? `${strike.leader} leads` : `error ${strike.code}${strike.text === "" ? "" : ` (${strike.text})`}`
  }`

/**
 * `--nemesis transfer`: asks a random node, as a client of the cluster
 * would (a fresh client id, the client timeout), to hand leadership over,
 * to a random node half the time and to the node's own choice otherwise.
 * Any node may be asked or named, down or not, leader or not: a client does
 * not know which is which, and the refusals are part of what is tested.
 */
export const transferFault = (options: {
  readonly router: Router
  readonly nodeIds: ReadonlyArray<string>
  readonly freshClientId: Effect.Effect<string>
  readonly timeoutMs: number
  readonly scope: Scope.Scope
}): Strike => {
  const randomNode = Effect.map(Random.nextIntBetween(0, options.nodeIds.length), (i) => options.nodeIds[i]!)
  return {
    kind: "transfer",
    strike: Effect.gen(function*() {
      const node = yield* randomNode
      const to = (yield* Random.nextBoolean) ? yield* randomNode : null
      const link = yield* openClientLink(options.router, node, yield* options.freshClientId, options.scope)
      const request: TransferLeadership = { type: "transfer_leadership", ...(to === null ? {} : { to }) }
      const reply = yield* Effect.ensuring(link.request(request, options.timeoutMs), link.close)
      const transfer: TransferStrike = { node, to, ...transferOutcome(reply, options.timeoutMs) }
      return { description: describeTransfer(transfer), nodes: [node], transfer } satisfies StruckFault
    })
  }
}
