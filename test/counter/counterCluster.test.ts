import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { counterSimApplication } from "../../sim/counter/counterSimApplication.js"
import { makeSimCluster, type SimCluster } from "../../sim/SimCluster.js"
import { leaderNamedIn } from "../../src/counter/leaderHint.js"
import type { NodeId } from "../../src/protocol/envelope.js"
import { simulated } from "../sim/simulated.js"

/** Sends a request from a client and lets simulated time pass until it is answered. */
const request = (cluster: SimCluster, node: NodeId, body: { type: string; [k: string]: unknown }) =>
  Effect.gen(function*() {
    const client = yield* cluster.client(`c-${node}`)
    return yield* client.rpc(node, body, 5000)
  })

const leaderOf = (cluster: SimCluster) => [...cluster.currentRoles()].find(([, r]) => r.role === "leader")?.[0]

/** Three counter nodes on the product's Raft engine and FileLog, settled on a leader. */
const settledCluster = Effect.gen(function*() {
  const cluster = yield* makeSimCluster({
    nodeIds: ["n1", "n2", "n3"],
    network: { latency: { _tag: "Uniform", minMs: 1, maxMs: 10 } },
    application: counterSimApplication
  })
  yield* Effect.sleep(3000)
  const leader = leaderOf(cluster)!
  return { cluster, leader, followers: cluster.nodeIds.filter((n) => n !== leader) }
})

describe("counter nodes", () => {
  it("the leader adds and reads; a follower refuses both with error 11 naming the leader", () =>
    simulated(
      Effect.gen(function*() {
        const { cluster, followers, leader } = yield* settledCluster
        expect(yield* request(cluster, leader, { type: "read" })).toMatchObject({ type: "read_ok", value: 0 })
        expect(yield* request(cluster, leader, { type: "add", delta: 5 })).toMatchObject({ type: "add_ok" })
        expect(yield* request(cluster, leader, { type: "add", delta: -2 })).toMatchObject({ type: "add_ok" })
        expect(yield* request(cluster, leader, { type: "read" })).toMatchObject({ type: "read_ok", value: 3 })
        for (const follower of followers) {
          for (const body of [{ type: "read" }, { type: "add", delta: 1 }]) {
            const refused = yield* request(cluster, follower, body)
            expect(refused).toMatchObject({ type: "error", code: 11 })
            expect(leaderNamedIn(refused.text as string)).toBe(leader)
          }
        }
        // The refused add never happened.
        expect(yield* request(cluster, leader, { type: "read" })).toMatchObject({ type: "read_ok", value: 3 })
        yield* Effect.sleep(500)
        expect(cluster.violations).toEqual([])
      }).pipe(Effect.scoped),
      "counter-nodes"
    ))

  it("an unknown type gets error 10, a malformed request error 12", () =>
    simulated(
      Effect.gen(function*() {
        const { cluster, leader } = yield* settledCluster
        expect(yield* request(cluster, leader, { type: "cas", key: 1, from: 0, to: 1 })).toMatchObject({ type: "error", code: 10 })
        for (const body of [{ type: "add" }, { type: "add", delta: 1.5 }, { type: "add", delta: "1" }]) {
          const refused = yield* request(cluster, leader, body)
          expect(refused).toMatchObject({ type: "error", code: 12 })
          expect(refused.text).toContain("malformed add: delta")
        }
        expect(yield* request(cluster, leader, { type: "read" })).toMatchObject({ type: "read_ok", value: 0 })
      }).pipe(Effect.scoped),
      "counter-refusals"
    ))

  it("a cut-off leader's add times out with an indefinite error 0, and a new leader serves", () =>
    simulated(
      Effect.gen(function*() {
        const { cluster, followers, leader } = yield* settledCluster
        yield* cluster.network.partition([[leader], followers])
        const stranded = yield* request(cluster, leader, { type: "add", delta: 1 })
        expect(stranded).toMatchObject({ type: "error", code: 0 })
        yield* Effect.sleep(3000)
        const newLeader = leaderOf(cluster)!
        expect(followers).toContain(newLeader)
        expect(yield* request(cluster, newLeader, { type: "add", delta: 10 })).toMatchObject({ type: "add_ok" })
        expect(yield* request(cluster, newLeader, { type: "read" })).toMatchObject({ type: "read_ok", value: 10 })
        expect(cluster.violations).toEqual([])
      }).pipe(Effect.scoped),
      "counter-partition"
    ))
})
