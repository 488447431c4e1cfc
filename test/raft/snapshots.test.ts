import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { makeLogReplay } from "../../layers/logRecordCodec.js"
import type { NodeId } from "../../src/protocol/envelope.js"
import { logFileOf, makeSimCluster, type SimCluster } from "../../sim/SimCluster.js"
import { Trace } from "../../sim/Trace.js"
import { simulated } from "../sim/simulated.js"

const runFor = (ms: number) => Effect.sleep(ms)

/** What a node's log file holds, replayed. */
const logOnDisk = (cluster: SimCluster, node: NodeId) => {
  const replay = makeLogReplay(logFileOf(node))
  expect(Either.isRight(replay.push(cluster.disks.get(node)!.contents(logFileOf(node))!))).toBe(true)
  return replay.finish().storage
}

const currentLeader = (cluster: SimCluster) => {
  const leaders = [...cluster.currentRoles()].filter(([, r]) => r.role === "leader").sort(([, a], [, b]) => b.term - a.term)
  return leaders[0]?.[0]
}

const request = (cluster: SimCluster, client: string, node: NodeId, body: { type: string; [k: string]: unknown }) =>
  Effect.flatMap(cluster.client(client), (c) => c.rpc(node, body, 5000))

/** A cluster that snapshots every 5 entries and sends snapshots 16 characters at a time. */
const clusterOf = (size: number, trace?: Trace) =>
  makeSimCluster({
    nodeIds: Array.from({ length: size }, (_, i) => `n${i + 1}`),
    network: { latency: { _tag: "Uniform", minMs: 1, maxMs: 10 } },
    config: { snapshotEvery: 5, snapshotChunkChars: 16 },
    ...(trace === undefined ? {} : { trace })
  })

describe("snapshots", () => {
  it("a follower that missed entries the leader compacted away gets the snapshot in chunks, then the entries after it", () => {
    const trace = new Trace(Infinity)
    simulated(
      Effect.gen(function*() {
        const cluster = yield* clusterOf(3, trace)
        yield* runFor(3000)
        const leader = currentLeader(cluster)!
        const [lagging, other] = cluster.nodeIds.filter((n) => n !== leader) as [NodeId, NodeId]
        yield* cluster.network.partition([[lagging], [leader, other]])
        for (let key = 1; key <= 20; key++) {
          expect(yield* request(cluster, "c1", leader, { type: "write", key, value: key * 10 })).toMatchObject({ type: "write_ok" })
        }
        // Every node that took part compacted its log; the lagging one still has nearly nothing.
        for (const node of [leader, other]) expect(logOnDisk(cluster, node).snapshot?.lastIndex).toBeGreaterThanOrEqual(15)
        expect(logOnDisk(cluster, lagging).snapshot).toBeNull()

        yield* cluster.network.heal
        yield* runFor(3000)
        expect(yield* request(cluster, "c2", lagging, { type: "write", key: 21, value: 210 })).toMatchObject({ type: "write_ok" })
        for (let key = 1; key <= 21; key++) {
          expect(yield* request(cluster, "c2", lagging, { type: "read", key })).toMatchObject({ type: "read_ok", value: key * 10 })
        }
        const installed = logOnDisk(cluster, lagging).snapshot
        expect(installed?.lastIndex).toBeGreaterThanOrEqual(15)
        // It restored the snapshot rather than applying entries it never received.
        expect(cluster.currentReport(lagging)!.applied.map((a) => a.index)).not.toContain(installed!.lastIndex)
        expect(cluster.failures).toEqual([])
        expect(cluster.violations).toEqual([])
      }).pipe(Effect.scoped),
      "install-snapshot"
    )
    const chunks = trace.lines().filter((line) => line.text.includes(" install_snapshot "))
    expect(chunks.length).toBeGreaterThan(3)
    expect(chunks.some((line) => line.text.includes("done=true"))).toBe(true)
    // Each chunk is a JSON array of the store's pairs, of at most 16 characters unless it holds one pair.
    for (const line of chunks) {
      const data = JSON.parse(/ data=("(?:[^"\\]|\\.)*")/.exec(line.text)![1]!) as string
      const pairs = JSON.parse(data) as Array<unknown>
      expect(data.length <= 16 || pairs.length === 1, data).toBe(true)
    }
  })

  it("a follower mid-transfer gets the newest snapshot as soon as there is one, and installs only that", () => {
    const trace = new Trace(Infinity)
    let lagging: NodeId = "n1"
    simulated(
      Effect.gen(function*() {
        const cluster = yield* clusterOf(3, trace)
        yield* runFor(3000)
        const leader = currentLeader(cluster)!
        lagging = cluster.nodeIds.find((n) => n !== leader)!
        const other = cluster.nodeIds.find((n) => n !== leader && n !== lagging)!
        yield* cluster.network.partition([[lagging], [leader, other]])
        for (let key = 1; key <= 20; key++) {
          expect(yield* request(cluster, "c1", leader, { type: "write", key, value: key * 10 })).toMatchObject({ type: "write_ok" })
        }
        yield* cluster.network.heal
        // While the snapshot goes to the lagging node, a chunk at a time, the leader takes newer ones.
        for (let key = 21; key <= 40; key++) {
          expect(yield* request(cluster, "c1", leader, { type: "write", key, value: key * 10 })).toMatchObject({ type: "write_ok" })
        }
        yield* runFor(3000)
        for (let key = 1; key <= 40; key++) {
          expect(yield* request(cluster, "c2", lagging, { type: "read", key })).toMatchObject({ type: "read_ok", value: key * 10 })
        }
        expect(cluster.failures).toEqual([])
        expect(cluster.violations).toEqual([])
      }).pipe(Effect.scoped),
      "newest-snapshot"
    )
    const chunks = trace.lines().filter((line) => line.text.startsWith("send ") && line.text.includes(`->${lagging} install_snapshot `))
    const lastIndexes = chunks.map((line) => Number(/last_index=(\d+)/.exec(line.text)![1]))
    // Several snapshots were begun, each newer than the last (a late copy aside), and only the newest went to its end.
    expect(new Set(lastIndexes).size).toBeGreaterThan(1)
    expect(chunks.filter((line) => line.text.includes("done=true")).map((line) => /last_index=(\d+)/.exec(line.text)![1]))
      .toEqual([String(Math.max(...lastIndexes))])
  })

  it("a node restarts from its snapshot and the entries after it, and serves what it had", () =>
    simulated(
      Effect.gen(function*() {
        const cluster = yield* clusterOf(3)
        yield* runFor(3000)
        for (let key = 1; key <= 12; key++) {
          expect(yield* request(cluster, "c1", currentLeader(cluster)!, { type: "write", key, value: key })).toMatchObject({
            type: "write_ok"
          })
        }
        yield* runFor(500)
        for (const node of cluster.nodeIds) yield* cluster.crash(node)
        for (const node of cluster.nodeIds) expect(logOnDisk(cluster, node).snapshot).not.toBeNull()
        for (const node of cluster.nodeIds) yield* cluster.start(node)
        yield* runFor(3000)
        for (let key = 1; key <= 12; key++) {
          expect(yield* request(cluster, "c1", cluster.nodeIds[key % 3]!, { type: "read", key })).toMatchObject({ type: "read_ok",
            value: key })
        }
        expect(cluster.failures).toEqual([])
        expect(cluster.violations).toEqual([])
      }).pipe(Effect.scoped),
      "restart-from-snapshot"
    ))

  it("large values trigger a snapshot by bytes long before the entry count would", () =>
    simulated(
      Effect.gen(function*() {
        const cluster = yield* makeSimCluster({
          nodeIds: ["n1", "n2", "n3"],
          network: { latency: { _tag: "Uniform", minMs: 1, maxMs: 10 } },
          config: { snapshotEvery: 1_000_000, snapshotBytes: 3_000 }
        })
        yield* runFor(3000)
        const leader = currentLeader(cluster)!
        // Each entry takes a little over 1000 bytes in the log: the third reaches the limit.
        const value = "v".repeat(1000)
        for (let key = 1; key <= 2; key++) {
          expect(yield* request(cluster, "c1", leader, { type: "write", key, value })).toMatchObject({ type: "write_ok" })
        }
        yield* runFor(500)
        for (const node of cluster.nodeIds) expect(logOnDisk(cluster, node).snapshot).toBeNull()
        expect(yield* request(cluster, "c1", leader, { type: "write", key: 3, value })).toMatchObject({ type: "write_ok" })
        yield* runFor(500)
        for (const node of cluster.nodeIds) {
          const storage = logOnDisk(cluster, node)
          expect(storage.snapshot?.lastIndex).toBeGreaterThanOrEqual(4)
          expect(storage.entries).toEqual([])
        }
        expect(cluster.failures).toEqual([])
        expect(cluster.violations).toEqual([])
      }).pipe(Effect.scoped),
      "snapshot-by-bytes"
    ))
})
