import { Effect, type Option, Random } from "effect"
import { type TransferLeadership, TransferLeadershipOk } from "../src/protocol/adminMessages.js"
import type { Envelope } from "../src/protocol/envelope.js"
import { adminReplyJudge, askAsOperator, describeNotInstalled, type NotInstalled, type OperatorLink } from "./adminReply.js"
import type { Strike, StruckFault } from "./nemesis.js"

/**
 * What came of one `transfer_leadership` request, for results.json:
 * `installed` when the _ok reply named who leads now, else refused or
 * indeterminate (`NotInstalled`).
 */
export type TransferOutcome = { readonly outcome: "installed"; readonly leader: string } | NotInstalled

/** One transfer strike: the node asked, the target named (null: the node's choice), and what came of it. */
export type TransferStrike = { readonly node: string; readonly to: string | null } & TransferOutcome

/** Judges the reply to a transfer request (none: it did not come within `timeoutMs`). */
export const transferOutcome: (reply: Option.Option<Envelope>, timeoutMs: number) => TransferOutcome = adminReplyJudge(
  TransferLeadershipOk,
  `{"type": "transfer_leadership_ok", "leader": NODE}`,
  (ok) => ({ outcome: "installed", leader: ok.leader })
)

/** A strike in words: `n1 asked to hand leadership to n2: installed, n2 leads`. */
export const describeTransfer = (strike: TransferStrike): string =>
  `${strike.node} asked to hand leadership ${strike.to === null ? "over" : `to ${strike.to}`}: ${
    strike.outcome === "installed" ? `installed, ${strike.leader} leads` : describeNotInstalled(strike)
  }`

/**
 * `--nemesis transfer`: asks a random node, as a client of the cluster
 * would (a fresh client id, the client timeout), to hand leadership over,
 * to a random node half the time and to the node's own choice otherwise.
 * Any node may be asked or named, down or not, leader or not: a client does
 * not know which is which, and the refusals are part of what is tested.
 */
export const transferFault = (options: OperatorLink & { readonly nodeIds: ReadonlyArray<string> }): Strike => {
  const randomNode = Effect.map(Random.nextIntBetween(0, options.nodeIds.length), (i) => options.nodeIds[i]!)
  return {
    kind: "transfer",
    strike: Effect.gen(function*() {
      const node = yield* randomNode
      const to = (yield* Random.nextBoolean) ? yield* randomNode : null
      const request: TransferLeadership = { type: "transfer_leadership", ...(to === null ? {} : { to }) }
      const reply = yield* askAsOperator(options, node, request)
      const transfer: TransferStrike = { node, to, ...transferOutcome(reply, options.timeoutMs) }
      return { description: describeTransfer(transfer), nodes: [node], transfer } satisfies StruckFault
    })
  }
}
