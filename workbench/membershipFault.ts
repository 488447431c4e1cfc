import { Chunk, Clock, Effect, Option, Random, Ref, Schema } from "effect"
import { type AddMember, MembersOk, MembershipChangeOk, type Reconfigure, type RemoveMember } from "../src/protocol/adminMessages.js"
import type { Envelope } from "../src/protocol/envelope.js"
import { adminReplyJudge, askAsOperator, describeNotInstalled, type NotInstalled, type OperatorLink } from "./adminReply.js"
import type { Strike, StruckFault } from "./nemesis.js"
import { randomPick } from "../foundation/randomPick.js"

/** Voters and learners, as `members` tells them and a change ends with them. */
export interface Membership {
  readonly voters: ReadonlyArray<string>
  readonly learners: ReadonlyArray<string>
}

/** A membership change, as the nemesis asks for it. */
export type MembershipChange =
  | Omit<AddMember, "msg_id">
  | Omit<RemoveMember, "msg_id">
  | Required<Omit<Reconfigure, "msg_id">>

/**
 * What came of one change, for results.json: `installed` with the
 * configuration it ended with, else refused or indeterminate (`NotInstalled`).
 */
export type MembershipOutcome = ({ readonly outcome: "installed" } & Membership) | NotInstalled

/**
 * One membership strike: the node asked, the change, what the change was
 * drawn from (the `members` answer of the node asked first, or, when it did
 * not answer, the last configuration the nemesis heard of, in an answer or
 * from a change installed; absent for the
 * final heal, which asks for every node whatever the members), and what came
 * of it; the final heal also counts its tries.
 */
export type MembershipStrike =
  & {
    readonly node: string
    readonly change: MembershipChange
    readonly members?: { readonly node: string; readonly answered: boolean } & Membership
    readonly tries?: number
  }
  & MembershipOutcome

/** How long the final heal goes on asking for every node to be a voter again, and the pause between its tries. */
export const finalHealWithinMs = 20_000
const finalHealPauseMs = 500

const changeJudge = (type: MembershipChange["type"]) =>
  adminReplyJudge(
    Schema.Struct({ ...MembershipChangeOk.fields, type: Schema.Literal(`${type}_ok`) }),
    `{"type": "${type}_ok", "voters": [NODE], "learners": [NODE]}`,
    (ok): MembershipOutcome => ({ outcome: "installed", voters: ok.voters, learners: ok.learners })
  )
const changeJudges = {
  add_member: changeJudge("add_member"),
  remove_member: changeJudge("remove_member"),
  reconfigure: changeJudge("reconfigure")
}

/** Judges the reply to a membership change (none: it did not come within `timeoutMs`). */
export const membershipOutcome = (change: MembershipChange, reply: Option.Option<Envelope>, timeoutMs: number): MembershipOutcome =>
  changeJudges[change.type](reply, timeoutMs)

/** Judges the reply to `members`: the configuration it tells, or why there is none. */
export const membersAnswer = adminReplyJudge(
  MembersOk,
  `{"type": "members_ok", "voters": [NODE], "learners": [NODE], "outgoing"?: [NODE], "leader": NODE | null, "term": INT}`,
  (ok): Membership => ({ voters: ok.voters, learners: ok.learners })
)

/** One in four strikes a reconfiguration; the others remove a voter (never the last) or add a node that is not one. */
const reconfigureOneIn = 4

/**
 * The change a strike asks for, drawn from `members`: remove a random voter
 * while there is more than one, add a random node that is not a voter, or
 * reconfigure to a random nonempty set of voters, each other node a learner
 * half the time.
 */
export const drawChange = (members: Membership, nodeIds: ReadonlyArray<string>): Effect.Effect<MembershipChange> =>
  Effect.gen(function*() {
    const nonVoters = nodeIds.filter((id) => !members.voters.includes(id))
    const moves: ReadonlyArray<"remove_member" | "add_member"> = [
      ...(members.voters.length > 1 ? ["remove_member" as const] : []),
      ...(nonVoters.length > 0 ? ["add_member" as const] : [])
    ]
    if (moves.length > 0 && (yield* Random.nextIntBetween(0, reconfigureOneIn)) > 0) {
      const type = yield* randomPick(moves)
      const from = type === "remove_member" ? members.voters : nonVoters
      return { type, node: yield* randomPick(from) }
    }
    const order = Chunk.toReadonlyArray(yield* Random.shuffle(nodeIds))
    const voterCount = yield* Random.nextIntBetween(1, order.length + 1)
    const learners = yield* Effect.filter(order.slice(voterCount), () => Random.nextBoolean)
    return { type: "reconfigure", voters: order.slice(0, voterCount), learners }
  })

const roleIn = (membership: Membership, id: string) =>
  membership.voters.includes(id) ? "voter" : membership.learners.includes(id) ? "learner" : "none"

/** The nodes whose role (voter, learner, none) `change` makes other than in `members`. */
export const changedNodes = (members: Membership, change: MembershipChange, nodeIds: ReadonlyArray<string>): ReadonlyArray<string> => {
  const role = (id: string) =>
    change.type === "reconfigure" ? roleIn(change, id)
      : change.node !== id ? roleIn(members, id)
      : change.type === "add_member" ? "voter"
      : "none"
  return nodeIds.filter((id) => role(id) !== roleIn(members, id))
}

const list = (ids: ReadonlyArray<string>) => `[${ids.join(" ")}]`
const describeMembership = (membership: Membership) =>
  `voters ${list(membership.voters)}${membership.learners.length === 0 ? "" : `, learners ${list(membership.learners)}`}`

/** A change in words: `remove n3`, `reconfigure to voters [n0 n2], learners [n1]`. */
export const describeChange = (change: MembershipChange): string =>
  change.type === "reconfigure" ? `reconfigure to ${describeMembership(change)}`
    : `${change.type === "add_member" ? "add" : "remove"} ${change.node}`

/** A strike in words: `n1 asked to remove n3: installed, voters [n0 n1 n2 n4]`. */
export const describeMembershipStrike = (strike: MembershipStrike): string =>
  `${strike.node} asked to ${describeChange(strike.change)}: ${
    strike.outcome === "installed" ? `installed, ${describeMembership(strike)}` : describeNotInstalled(strike)
  }`

const sameIds = (a: ReadonlyArray<string>, b: ReadonlyArray<string>) => a.length === b.length && a.every((id) => b.includes(id))

/**
 * `--nemesis membership`: asks a random node, as an operator would (a fresh
 * client id, the client timeout), who the members are, then asks a random
 * node for a change drawn from the answer (`drawChange`). Any node may be
 * asked, a removed one included: the refusals are part of what is tested.
 * The final heal makes every node a voter again, trying until a node says
 * it is done or `finalHealWithinMs` has passed: a node left out answers
 * every client with an error, and a test that ends with the cluster shrunk
 * has not healed its faults. It has nothing to undo when every strike was
 * refused.
 */
export const membershipFault = (options: OperatorLink & { readonly nodeIds: ReadonlyArray<string> }): Effect.Effect<Strike> =>
  Effect.gen(function*() {
    const { nodeIds } = options
    const lastKnown = yield* Ref.make<Membership>({ voters: nodeIds, learners: [] })
    const mayHaveChanged = yield* Ref.make(false)
    const randomNode = Effect.map(Random.nextIntBetween(0, nodeIds.length), (i) => nodeIds[i]!)

    const ask = (node: string, change: MembershipChange) =>
      Effect.gen(function*() {
        const outcome = membershipOutcome(change, yield* askAsOperator(options, node, change), options.timeoutMs)
        if (outcome.outcome === "installed") yield* Ref.set(lastKnown, outcome)
        if (outcome.outcome !== "refused") yield* Ref.set(mayHaveChanged, true)
        return outcome
      })

    const finalHeal = Effect.gen(function*() {
      if (!(yield* Ref.get(mayHaveChanged))) return Option.none()
      const change: MembershipChange = { type: "reconfigure", voters: nodeIds, learners: [] }
      const nodes = changedNodes(yield* Ref.get(lastKnown), change, nodeIds)
      const deadline = (yield* Clock.currentTimeMillis) + finalHealWithinMs
      const first = yield* Random.nextIntBetween(0, nodeIds.length)
      for (let tries = 1;; tries++) {
        const node = nodeIds[(first + tries - 1) % nodeIds.length]!
        const outcome = yield* ask(node, change)
        const healed = outcome.outcome === "installed" && sameIds(outcome.voters, nodeIds)
        const strike: MembershipStrike = { node, change, tries, ...outcome }
        const description = `every node made a voter again, try ${tries}: ${describeMembershipStrike(strike)}`
        if (healed) return Option.some<StruckFault>({ description, nodes, membership: strike })
        if ((yield* Clock.currentTimeMillis) + finalHealPauseMs >= deadline) {
          return Option.some<StruckFault>({
            description,
            nodes,
            membership: strike,
            problem: `the membership nemesis could not make every node a voter again within ${finalHealWithinMs / 1000} s ` +
              `(${tries} tries); the last: ${describeMembershipStrike(strike)}`
          })
        }
        yield* Effect.sleep(finalHealPauseMs)
      }
    })

    return {
      kind: "membership",
      strike: Effect.gen(function*() {
        const asked = yield* randomNode
        const answer = membersAnswer(yield* askAsOperator(options, asked, { type: "members" }), options.timeoutMs)
        if (!("outcome" in answer)) yield* Ref.set(lastKnown, answer)
        const members = { node: asked, answered: !("outcome" in answer), ...(yield* Ref.get(lastKnown)) }
        const change = yield* drawChange(members, nodeIds)
        const node = yield* randomNode
        const membership: MembershipStrike = { node, change, members, ...(yield* ask(node, change)) }
        return {
          description: describeMembershipStrike(membership),
          nodes: [...new Set([node, ...changedNodes(members, change, nodeIds)])],
          membership
        } satisfies StruckFault
      }),
      finalHeal
    } satisfies Strike
  })
