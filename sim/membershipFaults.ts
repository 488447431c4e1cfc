import { Effect, Either, Random, type Scope } from "effect"
import type { Body } from "../services/Network.js"
import type { NodeId } from "../src/protocol/envelope.js"
import { describeBody } from "./describeMessage.js"
import type { SimCluster } from "./SimCluster.js"
import { randomPick } from "../foundation/randomPick.js"

/** An operator's faults: membership changes, leadership transfers. */
export const operatorFaultKinds = ["membership", "transfer"] as const

/**
 * Membership changes and leadership transfers as nemesis actions, asked of a
 * random running node as an operator would (src/kv/adminRequests.ts), and
 * not waited for: the workload and the other faults go on meanwhile, and a
 * change may be cut off halfway by a crash or a partition. Each request and
 * its outcome go into the trace. When the faults end, `restore` makes every
 * node a voter again, so the liveness phase can ask all of them to serve.
 */
export const makeMembershipFaults = (cluster: SimCluster, options: { readonly requestTimeoutMs: number }) => {
  let operators = 0
  const pick = randomPick
  const subset = (items: ReadonlyArray<NodeId>, chance: number) => Effect.filter(items, () => Effect.map(Random.next, (r) => r < chance))

  /** Asks `node`; the reply, or none, as the trace tells it. */
  const askOf = (node: NodeId, body: Body): Effect.Effect<Either.Either<Body, string>, never, Scope.Scope> =>
    Effect.gen(function*() {
      const client = yield* cluster.client(`operator${++operators}`)
      // A change waits for learners to catch up and two commits: room for each step's request timeout.
      const reply = yield* Effect.either(client.rpc(node, body, 3 * options.requestTimeoutMs))
      const outcome = Either.match(reply, { onLeft: () => "no answer", onRight: describeBody })
      cluster.note(`nemesis: ${describeBody(body)} via ${node}: ${outcome}`)
      return Either.mapLeft(reply, () => "no answer")
    })

  /** Asks a random running node. */
  const ask = (body: Body): Effect.Effect<void, never, Scope.Scope> =>
    Effect.gen(function*() {
      const running = cluster.nodeIds.filter(cluster.isRunning)
      if (running.length > 0) yield* askOf(yield* pick(running), body)
    })

  /** A change drawn at random: remove a node, add one, or any voters and learners at once (at least one voter). */
  const randomChange = Effect.gen(function*() {
    const nodes = cluster.nodeIds
    const choice = yield* Random.nextIntBetween(0, 3)
    if (choice === 0) return { type: "remove_member", node: yield* pick(nodes) }
    if (choice === 1) return { type: "add_member", node: yield* pick(nodes) }
    const chosen = yield* subset(nodes, 0.6)
    const voters = chosen.length > 0 ? chosen : [yield* pick(nodes)]
    const learners = yield* subset(nodes.filter((n) => !voters.includes(n)), 0.5)
    return { type: "reconfigure", voters, learners }
  })

  const randomTransfer = Effect.gen(function*() {
    const to = (yield* Random.nextBoolean) ? yield* pick(cluster.nodeIds) : undefined
    return { type: "transfer_leadership", ...(to === undefined ? {} : { to }) }
  })

  return {
    /** Starts a random membership change, or a transfer, without waiting for it. */
    inject: (kind: "membership" | "transfer"): Effect.Effect<void, never, Scope.Scope> =>
      Effect.asVoid(Effect.forkScoped(Effect.flatMap(kind === "membership" ? randomChange : randomTransfer, ask))),
    /**
     * Makes every node a voter again, asking each node in turn (a node that
     * is no member may know no leader to pass the request to) until one
     * confirms it, at most `rounds` times round the cluster.
     */
    restore: (rounds: number): Effect.Effect<void, never, Scope.Scope> =>
      Effect.gen(function*() {
        for (let round = 0; round < rounds; round++) {
          for (const node of cluster.nodeIds) {
            const reply = yield* askOf(node, { type: "reconfigure", voters: [...cluster.nodeIds], learners: [] })
            if (Either.isRight(reply) && reply.right.type === "reconfigure_ok") return
          }
          yield* Effect.sleep(options.requestTimeoutMs)
        }
        cluster.note(`nemesis: the cluster did not take every node back as a voter in ${rounds} rounds`)
      })
  }
}
