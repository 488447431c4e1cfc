import { expect } from "@effect/vitest"
import { Effect } from "effect"
import type { NodeId } from "../../src/protocol/envelope.js"
import type { SimCluster } from "../../sim/SimCluster.js"

/** Simulated time passes; every fiber due meanwhile runs. */
export const runFor = (ms: number) => Effect.sleep(ms)

/** Every node that led each term, as the nodes reported it. */
export const leadersByTerm = (cluster: SimCluster) => {
  const leaders = new Map<number, Set<NodeId>>()
  for (const [node, incarnations] of cluster.reports) {
    for (const report of incarnations) {
      for (const change of report.roleChanges) {
        if (change.role !== "leader") continue
        if (!leaders.has(change.term)) leaders.set(change.term, new Set())
        leaders.get(change.term)!.add(node)
      }
    }
  }
  return leaders
}

/** The leader of the highest term any running node leads in. */
export const currentLeader = (cluster: SimCluster): NodeId | undefined => {
  const roles = [...cluster.currentRoles()].filter(([, r]) => r.role === "leader")
  const top = Math.max(...roles.map(([, r]) => r.term))
  return roles.find(([, r]) => r.term === top)?.[0]
}

/** Every node's applied entries, as one sequence per node (latest incarnation). */
export const appliedSequences = (cluster: SimCluster) =>
  cluster.nodeIds.map((node) => cluster.reports.get(node)!.at(-1)!.applied.map((a) => JSON.stringify(a.entry)))

/** No node applied anything another did not apply in the same place. */
export const expectPrefixesOfOneAnother = (sequences: ReadonlyArray<ReadonlyArray<string>>) => {
  const longest = sequences.reduce((a, b) => (b.length > a.length ? b : a))
  for (const sequence of sequences) expect(sequence).toEqual(longest.slice(0, sequence.length))
}

/** Sends a request from a client and lets time pass until it is answered. */
export const request = (cluster: SimCluster, node: NodeId, body: { type: string; [k: string]: unknown }) =>
  Effect.gen(function*() {
    const client = yield* cluster.client(`c-${node}`)
    const reply = yield* Effect.fork(client.rpc(node, body, 5000))
    yield* runFor(2000)
    return yield* reply
  })
