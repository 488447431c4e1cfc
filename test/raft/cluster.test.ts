import { describe, expect, it } from "@effect/vitest"
import * as path from "node:path"
import { Clock, Effect, Either } from "effect"
import { defaultRaftConfig } from "../../services/RaftConfig.js"
import type { NodeId } from "../../src/protocol/envelope.js"
import { makeLogReplay } from "../../layers/logRecordCodec.js"
import { logFileOf, makeSimCluster, type SimCluster } from "../../sim/SimCluster.js"
import { simulated } from "../sim/simulated.js"
import {
  appliedSequences,
  currentLeader,
  expectPrefixesOfOneAnother,
  leadersByTerm,
  request,
  runFor
} from "./clusterHelpers.js"

const clusterOf = (size: number) =>
  makeSimCluster({
    nodeIds: Array.from({ length: size }, (_, i) => `n${i + 1}`),
    network: { latency: { _tag: "Uniform", minMs: 1, maxMs: 10 } }
  })

describe("a simulated cluster", () => {
  for (const size of [3, 5]) {
    it(`${size} nodes elect one leader per term, replicate, and agree`, () =>
      simulated(
        Effect.gen(function*() {
          const cluster = yield* clusterOf(size)
          yield* runFor(3000)
          const leader = currentLeader(cluster)
          expect(leader).toBeDefined()
          for (const [, leaders] of leadersByTerm(cluster)) expect(leaders.size).toBe(1)

          // Any node accepts a request: a follower forwards it to the leader.
          const follower = cluster.nodeIds.find((n) => n !== leader)!
          expect(yield* request(cluster, follower, { type: "write", key: 1, value: 10 })).toMatchObject({ type: "write_ok" })
          expect(yield* request(cluster, leader!, { type: "cas", key: 1, from: 10, to: 11 })).toMatchObject({ type: "cas_ok" })
          expect(yield* request(cluster, follower, { type: "read", key: 1 })).toMatchObject({ type: "read_ok", value: 11 })
          yield* runFor(500)

          const sequences = appliedSequences(cluster)
          expect(sequences.every((s) => s.length === sequences[0]!.length)).toBe(true)
          expectPrefixesOfOneAnother(sequences)
          expect(cluster.failures).toEqual([])
          expect(cluster.violations).toEqual([])
        }).pipe(Effect.scoped),
        `cluster-${size}`
      ))

    it(`${size} nodes survive the leader's isolation and the heal`, () =>
      simulated(
        Effect.gen(function*() {
          const cluster = yield* clusterOf(size)
          yield* runFor(3000)
          const oldLeader = currentLeader(cluster)!
          expect(yield* request(cluster, oldLeader, { type: "write", key: "k", value: 1 })).toMatchObject({ type: "write_ok" })

          const others = cluster.nodeIds.filter((n) => n !== oldLeader)
          yield* cluster.network.partition([[oldLeader], others])
          yield* runFor(3000)
          const newLeader = currentLeader(cluster)!
          expect(others).toContain(newLeader)
          // CheckQuorum: the cut-off leader stepped down on its own.
          expect(cluster.currentRoles().get(oldLeader)?.role).not.toBe("leader")
          // A write to the isolated node cannot commit: it is not answered ok.
          const isolated = yield* request(cluster, oldLeader, { type: "write", key: "k", value: 99 })
          expect(isolated).not.toMatchObject({ type: "write_ok" })
          expect(yield* request(cluster, newLeader, { type: "cas", key: "k", from: 1, to: 2 })).toMatchObject({ type: "cas_ok" })

          yield* cluster.network.heal
          yield* runFor(3000)
          expect(yield* request(cluster, oldLeader, { type: "read", key: "k" })).toMatchObject({ type: "read_ok", value: 2 })
          yield* runFor(500)
          for (const [, leaders] of leadersByTerm(cluster)) expect(leaders.size).toBe(1)
          expectPrefixesOfOneAnother(appliedSequences(cluster))
          expect(cluster.failures).toEqual([])
          expect(cluster.violations).toEqual([])
        }).pipe(Effect.scoped),
        `isolation-${size}`
      ))
  }
})

/** What a node's log file on its simulated disk holds, replayed. */
const logOnDisk = (cluster: SimCluster, node: NodeId) => {
  const replay = makeLogReplay(logFileOf(node))
  expect(Either.isRight(replay.push(cluster.disks.get(node)!.contents(logFileOf(node))!))).toBe(true)
  return replay.finish().storage
}

/** The value a read through `node` returns, or the error it gets. */
const readThrough = (cluster: SimCluster, node: NodeId, key: unknown) => request(cluster, node, { type: "read", key })

describe("a simulated cluster whose storage fails", () => {
  it("a follower that lost the confirmed tail of its log is caught up again while the same leader leads", () =>
    simulated(
      Effect.gen(function*() {
        const cluster = yield* clusterOf(3)
        yield* runFor(3000)
        const leader = currentLeader(cluster)!
        const leaderTerm = cluster.currentRoles().get(leader)!.term
        for (let value = 1; value <= 5; value++) {
          expect(yield* request(cluster, leader, { type: "write", key: 1, value })).toMatchObject({ type: "write_ok" })
        }
        const follower = cluster.nodeIds.find((n) => n !== leader)!
        const leaderLog = logOnDisk(cluster, leader).entries
        // The follower's file is cut at a record boundary while it is down: it lost entries it had confirmed.
        yield* cluster.crash(follower)
        const disk = cluster.disks.get(follower)!
        const records = new TextDecoder().decode(disk.contents(logFileOf(follower))).split("\n")
        yield* disk.replaceContents(logFileOf(follower), new TextEncoder().encode(records.slice(0, 4).map((r) => `${r}\n`).join("")))
        expect(logOnDisk(cluster, follower).entries.length).toBeLessThan(leaderLog.length)
        yield* cluster.start(follower)
        // A few heartbeats later its log is the leader's again, under the same leader.
        yield* runFor(10 * 50)
        expect(logOnDisk(cluster, follower).entries).toEqual(leaderLog)
        expect(cluster.currentRoles().get(leader)).toMatchObject({ term: leaderTerm, role: "leader" })
        expect(cluster.failures).toEqual([])
      }).pipe(Effect.scoped),
      "lost-tail"
    ))

  it("a follower whose file has a damaged record in the middle keeps what came before it, and is repaired by the leader", () =>
    simulated(
      Effect.gen(function*() {
        const cluster = yield* clusterOf(3)
        yield* runFor(3000)
        const leader = currentLeader(cluster)!
        for (let value = 1; value <= 5; value++) {
          expect(yield* request(cluster, leader, { type: "write", key: 1, value: 1000 + value })).toMatchObject({ type: "write_ok" })
        }
        const follower = cluster.nodeIds.find((n) => n !== leader)!
        const leaderLog = logOnDisk(cluster, leader).entries
        yield* cluster.crash(follower)
        // One digit of a value written in the middle of the follower's file changes while it is down.
        const disk = cluster.disks.get(follower)!
        const damaged = Buffer.from(disk.contents(logFileOf(follower))!)
        const at = damaged.indexOf("\"value\":1003")
        expect(damaged.indexOf("\"value\":1005")).toBeGreaterThan(at)
        damaged.write("7", at + "\"value\":10".length)
        const offset = damaged.lastIndexOf("\n", at) + 1
        yield* disk.replaceContents(logFileOf(follower), damaged)
        // Cut off at first, so that what it recovered on its own can be seen.
        yield* cluster.network.partition([[follower], cluster.nodeIds.filter((n) => n !== follower)])
        yield* cluster.start(follower)
        yield* runFor(100)
        // It kept the records before the damaged one, holds no vote, and left the file as found for the operator.
        const recovered = logOnDisk(cluster, follower)
        expect(recovered.entries.length).toBeLessThan(leaderLog.length)
        expect(recovered.entries).toEqual(leaderLog.slice(0, recovered.entries.length))
        expect(recovered.hardState.caughtUp).toBe(false)
        expect(Buffer.from(disk.contents(`${logFileOf(follower)}.corrupt-${offset}`)!)).toEqual(damaged)
        // The leader brings it level: its log is the leader's again, no committed entry lost, and it serves the right value.
        yield* cluster.network.heal
        yield* runFor(10 * 50)
        expect(logOnDisk(cluster, follower).entries).toEqual(logOnDisk(cluster, leader).entries)
        expect(logOnDisk(cluster, follower).hardState.caughtUp).toBe(true)
        expect(yield* readThrough(cluster, follower, 1)).toMatchObject({ type: "read_ok", value: 1005 })
        expect(cluster.failures).toEqual([])
        // The damage itself took committed entries off the follower's disk, which the monitor reports at its
        // restart (a crash alone must never do that); nothing else went wrong.
        expect(cluster.violations.map((v) => [v.node, v.invariant])).toEqual([[follower, "committed entries stay"]])
      }).pipe(Effect.scoped),
      "damaged-record"
    ))

  const losses: ReadonlyArray<readonly [string, string, (cluster: SimCluster, node: NodeId) => Effect.Effect<void, unknown>]> = [
    [
      "whose log file was emptied, the marker beside it kept",
      "wiped-node",
      (cluster, node) => cluster.disks.get(node)!.replaceContents(logFileOf(node), new Uint8Array())
    ],
    [
      "whose log lost its durable records from inside the first write's on, as if that write had been torn by a crash",
      "cut-log",
      (cluster, node) =>
        Effect.gen(function*() {
          const disk = cluster.disks.get(node)!
          const bytes = disk.contents(logFileOf(node))!
          const firstWrite = Buffer.from(bytes).indexOf("\"value\":1")
          expect(firstWrite).toBeGreaterThan(0)
          yield* disk.replaceContents(logFileOf(node), bytes.subarray(0, firstWrite))
        })
    ],
    [
      "whose whole data directory was wiped, so that it starts as a new node would",
      "wiped-directory",
      (cluster, node) => Effect.sync(() => expect(cluster.disks.get(node)!.wipe(path.dirname(logFileOf(node)))).toContain(logFileOf(node)))
    ]
  ]
  for (const [how, seed, lose] of losses) {
    it(`a node ${how} does not help a stale node win, and rejoins once a leader caught it up`, () =>
      simulated(
        Effect.gen(function*() {
          const cluster = yield* clusterOf(3)
          yield* runFor(3000)
          const leader = currentLeader(cluster)!
          const [wiped, stale] = cluster.nodeIds.filter((n) => n !== leader) as [NodeId, NodeId]
          // The stale node misses every write; the leader and the other node commit them.
          yield* cluster.network.partition([[stale], [leader, wiped]])
          for (let value = 1; value <= 3; value++) {
            expect(yield* request(cluster, leader, { type: "write", key: 1, value })).toMatchObject({ type: "write_ok" })
          }
          // The leader goes down; the other node loses its storage and comes back; the cut heals.
          yield* cluster.crash(leader)
          yield* cluster.crash(wiped)
          yield* lose(cluster, wiped)
          yield* cluster.network.heal
          yield* cluster.start(wiped)
          yield* runFor(5000)
          // Electing the stale node would lose the three acknowledged writes: nobody may lead. Only the stale
          // node answers the returning one, which is not enough to know what was committed: it votes for no one.
          expect([...cluster.currentRoles().values()].filter((r) => r.role === "leader")).toEqual([])
          expect(logOnDisk(cluster, wiped).hardState.votedFor).not.toBe(stale)
          // The old leader returns and answers too: it leads, catches the other node up, and every write is still there.
          yield* cluster.start(leader)
          yield* runFor(3000)
          expect(currentLeader(cluster)).toBe(leader)
          expect(yield* readThrough(cluster, wiped, 1)).toMatchObject({ type: "read_ok", value: 3 })
          expect(logOnDisk(cluster, wiped).hardState.caughtUp).toBe(true)
          expect(cluster.failures).toEqual([])
        }).pipe(Effect.scoped),
        seed
      ))
  }
})

describe("a simulated cluster handing leadership over", () => {
  it("a leader asked through another node hands over to the node named, which leads within an election timeout", () =>
    simulated(
      Effect.gen(function*() {
        const cluster = yield* clusterOf(3)
        yield* runFor(3000)
        const leader = currentLeader(cluster)!
        const [target, asked] = cluster.nodeIds.filter((n) => n !== leader) as [NodeId, NodeId]
        const client = yield* cluster.client("operator")
        const startedMs = yield* Clock.currentTimeMillis
        const reply = yield* client.rpc(asked, { type: "transfer_leadership", to: target }, 5000)
        const tookMs = (yield* Clock.currentTimeMillis) - startedMs
        expect(reply).toMatchObject({ type: "transfer_leadership_ok", leader: target })
        expect(currentLeader(cluster)).toBe(target)
        // The target campaigned at once, and the others voted inside the vote lease, because the request said why.
        expect(tookMs).toBeLessThan(defaultRaftConfig.electionTimeoutMinMs)
        // The cluster serves on under its new leader.
        expect(yield* request(cluster, asked, { type: "write", key: 1, value: 7 })).toMatchObject({ type: "write_ok" })
        expect(yield* readThrough(cluster, leader, 1)).toMatchObject({ type: "read_ok", value: 7 })
        expect(cluster.violations).toEqual([])
        expect(cluster.failures).toEqual([])
      }).pipe(Effect.scoped),
      "hand-over"
    ))

  it("a hand-over with no target named goes to a member in touch, not to an up-to-date one that is cut off", () =>
    simulated(
      Effect.gen(function*() {
        const cluster = yield* clusterOf(3)
        yield* runFor(3000)
        const leader = currentLeader(cluster)!
        // Both followers hold the whole log; the first in the voters' order is then cut off.
        expect(yield* request(cluster, leader, { type: "write", key: 1, value: 5 })).toMatchObject({ type: "write_ok" })
        yield* runFor(500)
        const [cutOff, inTouch] = cluster.nodeIds.filter((n) => n !== leader) as [NodeId, NodeId]
        yield* cluster.network.partition([[cutOff], [leader, inTouch]])
        yield* runFor(defaultRaftConfig.electionTimeoutMaxMs + 100)
        const client = yield* cluster.client("operator")
        const reply = yield* client.rpc(leader, { type: "transfer_leadership" }, 5000)
        expect(reply).toMatchObject({ type: "transfer_leadership_ok", leader: inTouch })
        expect(currentLeader(cluster)).toBe(inTouch)
        expect(cluster.violations).toEqual([])
        expect(cluster.failures).toEqual([])
      }).pipe(Effect.scoped),
      "hand-over-in-touch"
    ))

  it("a hand-over to a node that is no member is refused, definitely, one to the leader itself is done at once, and the leader leads on", () =>
    simulated(
      Effect.gen(function*() {
        const cluster = yield* clusterOf(3)
        yield* runFor(3000)
        const leader = currentLeader(cluster)!
        const client = yield* cluster.client("operator")
        const reply = yield* client.rpc(leader, { type: "transfer_leadership", to: "n9" }, 5000)
        expect(reply).toMatchObject({ type: "error", code: 11 })
        expect(reply["text"]).toContain("n9 is not another voter of the cluster")
        // Asked for the node that leads already, through any node: done at once, nothing moves.
        for (const asked of cluster.nodeIds) {
          const already = yield* client.rpc(asked, { type: "transfer_leadership", to: leader }, 5000)
          expect(already).toMatchObject({ type: "transfer_leadership_ok", leader })
        }
        expect(currentLeader(cluster)).toBe(leader)
        expect(yield* request(cluster, leader, { type: "write", key: 1, value: 8 })).toMatchObject({ type: "write_ok" })
      }).pipe(Effect.scoped),
      "hand-over-refused"
    ))
})
