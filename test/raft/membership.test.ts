import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { Configuration, Entry } from "../../services/Log.js"
import type { NodeId } from "../../src/protocol/envelope.js"
import { type BrokenVariant, brokenVariants } from "../../sim/brokenVariants.js"
import { makeSimCluster, type SimCluster } from "../../sim/SimCluster.js"
import { simulated } from "../sim/simulated.js"
import { currentLeader, expectPrefixesOfOneAnother, appliedSequences, leadersByTerm, request, runFor } from "./clusterHelpers.js"

const clusterOf = (size: number, snapshotEvery?: number, broken?: BrokenVariant) =>
  makeSimCluster({
    nodeIds: Array.from({ length: size }, (_, i) => `n${i + 1}`),
    network: { latency: { _tag: "Uniform", minMs: 1, maxMs: 10 } },
    ...(snapshotEvery === undefined ? {} : { config: { snapshotEvery } }),
    ...(broken === undefined ? {} : { broken })
  })

let operators = 0

/** Asks `node` as an operator of its own, waiting long enough for a change of two steps and a catch-up. */
const ask = (cluster: SimCluster, node: NodeId, body: { type: string; [k: string]: unknown }) =>
  Effect.gen(function*() {
    const client = yield* cluster.client(`operator-${++operators}`)
    return yield* client.rpc(node, body, 10_000)
  })

/** The configurations a node applied, in log order. */
const appliedConfigurations = (cluster: SimCluster, node: NodeId): ReadonlyArray<Configuration> =>
  cluster.currentReport(node)!.applied.map((a) => a.entry).filter((e: Entry) => e.config !== undefined).map((e) => e.config!)

/** Nothing went wrong: one leader per term, no broken invariant, no node failed, the applied sequences agree. */
const expectHealthy = (cluster: SimCluster) => {
  for (const [, leaders] of leadersByTerm(cluster)) expect(leaders.size).toBe(1)
  expectPrefixesOfOneAnother(appliedSequences(cluster))
  expect(cluster.violations).toEqual([])
  expect(cluster.failures).toEqual([])
}

describe("a simulated cluster changing its membership", () => {
  it("members: any node tells the voters, learners, leader and term it knows", () =>
    simulated(
      Effect.gen(function*() {
        const cluster = yield* clusterOf(3)
        yield* runFor(3000)
        const leader = currentLeader(cluster)!
        for (const node of cluster.nodeIds) {
          expect(yield* ask(cluster, node, { type: "members" })).toMatchObject({
            type: "members_ok",
            voters: ["n1", "n2", "n3"],
            learners: [],
            leader
          })
        }
      }).pipe(Effect.scoped),
      "members"
    ))

  it("removes a follower through a joint configuration; the two left commit alone; the node added back catches up", () =>
    simulated(
      Effect.gen(function*() {
        const cluster = yield* clusterOf(3)
        yield* runFor(3000)
        const leader = currentLeader(cluster)!
        const [removed, asked] = cluster.nodeIds.filter((n) => n !== leader) as [NodeId, NodeId]
        const kept = cluster.nodeIds.filter((n) => n !== removed)
        // Asked of a follower: passed on to the leader.
        expect(yield* ask(cluster, asked, { type: "remove_member", node: removed })).toMatchObject({
          type: "remove_member_ok",
          voters: kept,
          learners: []
        })
        // Through the joint configuration, then the final one.
        expect(appliedConfigurations(cluster, leader)).toEqual([
          { voters: kept, learners: [], outgoing: cluster.nodeIds },
          { voters: kept, learners: [] }
        ])
        // The removed node is not needed any more: the two commit without it.
        yield* cluster.network.partition([[removed], kept])
        expect(yield* request(cluster, asked, { type: "write", key: 1, value: 1 })).toMatchObject({ type: "write_ok" })
        // It knows it is out, so it never campaigns; it knows no leader, so it says it is no member.
        yield* runFor(3000)
        expect(yield* request(cluster, removed, { type: "read", key: 1 })).toMatchObject({ type: "error", code: 40 })
        expect(cluster.currentRoles().get(removed)?.role).toBe("follower")
        yield* cluster.network.heal

        // Back as a learner first, caught up, then a voter.
        expect(yield* ask(cluster, asked, { type: "add_member", node: removed })).toMatchObject({
          type: "add_member_ok",
          voters: [...kept, removed],
          learners: []
        })
        const added = appliedConfigurations(cluster, leader).slice(2)
        expect(added).toEqual([
          { voters: kept, learners: [removed] },
          { voters: [...kept, removed], learners: [], outgoing: kept },
          { voters: [...kept, removed], learners: [] }
        ])
        expect(yield* request(cluster, removed, { type: "read", key: 1 })).toMatchObject({ type: "read_ok", value: 1 })
        yield* runFor(500)
        expectHealthy(cluster)
      }).pipe(Effect.scoped),
      "remove-and-add"
    ))

  it("a leader that removes itself leads until the change commits, then steps down and never campaigns", () =>
    simulated(
      Effect.gen(function*() {
        const cluster = yield* clusterOf(3)
        yield* runFor(3000)
        const leader = currentLeader(cluster)!
        const kept = cluster.nodeIds.filter((n) => n !== leader)
        expect(yield* request(cluster, leader, { type: "write", key: "k", value: 1 })).toMatchObject({ type: "write_ok" })
        expect(yield* ask(cluster, leader, { type: "remove_member", node: leader })).toMatchObject({
          type: "remove_member_ok",
          voters: kept
        })
        yield* runFor(3000)
        const successor = currentLeader(cluster)!
        expect(kept).toContain(successor)
        expect(cluster.currentRoles().get(leader)?.role).toBe("follower")
        // It told a level voter to take over: no election timeout passed without a leader.
        const changes = cluster.currentReport(leader)!.roleChanges
        const ledUntil = changes.map((c) => c.role).lastIndexOf("leader")
        const stepDown = changes[ledUntil + 1]!
        const takeOver = cluster.currentReport(successor)!.roleChanges.find((c) => c.role === "leader" && c.term > stepDown.term)!
        expect(takeOver.atMs - stepDown.atMs).toBeLessThan(400)
        // It never campaigns again, whatever time passes.
        yield* runFor(5000)
        expect(cluster.currentReport(leader)!.roleChanges.filter((c) => c.atMs >= stepDown.atMs && c.role !== "follower")).toEqual([])
        expect(yield* request(cluster, successor, { type: "cas", key: "k", from: 1, to: 2 })).toMatchObject({ type: "cas_ok" })
        expectHealthy(cluster)
      }).pipe(Effect.scoped),
      "remove-leader"
    ))

  it("tells a removed leader that leads on from one that steps down (the broken variant removed-leader-keeps-leading)", () => {
    // The swarm cannot see it: leading without a vote is safe, and the nemesis makes every node a voter again at the end.
    const roleAfterRemovingItself = (broken?: BrokenVariant) =>
      simulated(
        Effect.gen(function*() {
          const cluster = yield* clusterOf(3, undefined, broken)
          yield* runFor(3000)
          const leader = currentLeader(cluster)!
          expect(yield* ask(cluster, leader, { type: "remove_member", node: leader })).toMatchObject({ type: "remove_member_ok" })
          yield* runFor(3000)
          return cluster.currentRoles().get(leader)?.role
        }).pipe(Effect.scoped),
        "remove-leader"
      )
    expect(roleAfterRemovingItself()).toBe("follower")
    expect(roleAfterRemovingItself(brokenVariants["removed-leader-keeps-leading"])).toBe("leader")
  })

  it("reconfigure replaces several voters at once, and makes a learner", () =>
    simulated(
      Effect.gen(function*() {
        const cluster = yield* clusterOf(5)
        yield* runFor(3000)
        const leader = currentLeader(cluster)!
        const voters = [leader, ...cluster.nodeIds.filter((n) => n !== leader).slice(0, 1)]
        const learners = cluster.nodeIds.filter((n) => !voters.includes(n)).slice(0, 1)
        expect(yield* ask(cluster, leader, { type: "reconfigure", voters, learners })).toMatchObject({
          type: "reconfigure_ok",
          voters,
          learners
        })
        expect(appliedConfigurations(cluster, leader).map((c) => c.outgoing !== undefined)).toEqual([true, false])
        // Two voters: both needed, the learner and the removed nodes not at all.
        const others = cluster.nodeIds.filter((n) => !voters.includes(n))
        yield* cluster.network.partition([voters, others])
        expect(yield* request(cluster, leader, { type: "write", key: 2, value: 2 })).toMatchObject({ type: "write_ok" })
        yield* cluster.network.heal
        yield* runFor(1000)
        // The learner has the write; it serves through the leader.
        expect(yield* request(cluster, learners[0]!, { type: "read", key: 2 })).toMatchObject({ type: "read_ok", value: 2 })
        expectHealthy(cluster)
      }).pipe(Effect.scoped),
      "reconfigure"
    ))

  it("refuses, definitely and saying why, a change it cannot make", () =>
    simulated(
      Effect.gen(function*() {
        const cluster = yield* clusterOf(3)
        yield* runFor(3000)
        const leader = currentLeader(cluster)!
        const refusals: ReadonlyArray<readonly [Record<string, unknown>, number, string]> = [
          [{ type: "reconfigure", voters: [] }, 12, "the voter set is empty"],
          [{ type: "reconfigure", voters: ["n1", "n7"] }, 12, "n7 is not one of the cluster's nodes (n1, n2, n3)"],
          [{ type: "reconfigure", voters: ["n1", "n1"] }, 12, "n1 is named twice"],
          [{ type: "reconfigure", voters: ["n1", "n2"], learners: ["n2"] }, 12, "n2 is named both a voter and a learner"],
          [{ type: "add_member", node: "n9" }, 12, "n9 is not one of the cluster's nodes"]
        ]
        for (const [body, code, text] of refusals) {
          const reply = yield* ask(cluster, leader, body as { type: string })
          expect(reply).toMatchObject({ type: "error", code })
          expect(reply["text"]).toContain(text)
        }
        // One change at a time: a node cut off cannot catch up, so adding it waits; a second change meanwhile is refused.
        expect(yield* ask(cluster, leader, { type: "reconfigure", voters: [leader] })).toMatchObject({ type: "reconfigure_ok" })
        const outside = cluster.nodeIds.find((n) => n !== leader)!
        yield* cluster.network.partition([[outside], cluster.nodeIds.filter((n) => n !== outside)])
        const adding = yield* Effect.fork(ask(cluster, leader, { type: "add_member", node: outside }))
        yield* runFor(200)
        const second = yield* ask(cluster, leader, { type: "remove_member", node: outside })
        expect(second).toMatchObject({ type: "error", code: 11 })
        expect(second["text"]).toContain("in progress")
        // The first times out, indefinitely: its learner entry went in, and it may still complete.
        const first = yield* adding
        expect(first).toMatchObject({ type: "error", code: 0 })
        expect(first["text"]).toContain(`${outside} to catch up`)
        expect(cluster.violations).toEqual([])
      }).pipe(Effect.scoped),
      "refusals"
    ))

  it("a node added back after the leader compacted its log gets the configuration with the snapshot, and keeps it across a restart", () =>
    simulated(
      Effect.gen(function*() {
        const cluster = yield* clusterOf(3, 20)
        yield* runFor(3000)
        const leader = currentLeader(cluster)!
        const removed = cluster.nodeIds.find((n) => n !== leader)!
        expect(yield* ask(cluster, leader, { type: "remove_member", node: removed })).toMatchObject({ type: "remove_member_ok" })
        yield* cluster.crash(removed)
        for (let i = 0; i < 50; i++) {
          expect(yield* request(cluster, leader, { type: "write", key: i, value: i })).toMatchObject({ type: "write_ok" })
        }
        yield* cluster.start(removed)
        expect(yield* ask(cluster, leader, { type: "add_member", node: removed })).toMatchObject({ type: "add_member_ok" })
        yield* runFor(1000)
        // The snapshot it installed said who was in the cluster; the entries after it said the rest.
        const members = yield* ask(cluster, removed, { type: "members" })
        expect(members).toMatchObject({ voters: expect.arrayContaining([...cluster.nodeIds]), learners: [], leader })
        yield* cluster.crash(removed)
        yield* cluster.start(removed)
        yield* runFor(1000)
        expect(yield* ask(cluster, removed, { type: "members" })).toMatchObject({ voters: expect.arrayContaining([...cluster.nodeIds]) })
        expect(yield* request(cluster, removed, { type: "read", key: 49 })).toMatchObject({ type: "read_ok", value: 49 })
        // (Its applied sequence starts at the snapshot: the monitor checks that the snapshot held the state it stands for.)
        expect(cluster.violations).toEqual([])
        expect(cluster.failures).toEqual([])
      }).pipe(Effect.scoped),
      "snapshot-configuration"
    ))
})
