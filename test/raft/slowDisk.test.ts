import { describe, expect, it } from "@effect/vitest"
import { Clock, Effect, Either, Fiber } from "effect"
import { makeSimCluster, type SimCluster } from "../../sim/SimCluster.js"
import type { DiskError, DiskShape } from "../../services/Disk.js"
import { simulated } from "../sim/simulated.js"

/**
 * Each node's disk, with every file's fsync as `change` makes it from the
 * real one (called once per file opened, so it may keep a count per file).
 */
const changedFsyncs =
  (change: (node: string, target: string, fsync: Effect.Effect<void, DiskError>) => Effect.Effect<void, DiskError>) =>
  (node: string, disk: DiskShape): DiskShape => ({
    ...disk,
    open: (target) =>
      Effect.map(disk.open(target), ({ created, file }) => ({ created, file: { ...file, fsync: change(node, target, file.fsync) } }))
  })

/** Every fsync takes `ms` more (simulated) milliseconds. */
const slowFsyncs = (ms: number) => changedFsyncs((_node, _target, fsync) => Effect.zipRight(Effect.sleep(ms), fsync))

/** Writing a compacted log file out takes `ms` more (simulated) milliseconds: its first fsync, after the bulk of it is written. */
const slowCompactions = (ms: number) =>
  changedFsyncs((_node, target, fsync) => {
    if (!target.endsWith(".compacting")) return fsync
    let fsyncs = 0
    return Effect.suspend(() => fsyncs++ === 0 ? Effect.zipRight(Effect.sleep(ms), fsync) : fsync)
  })

/** Lets time pass until one node leads and every other follows it; returns when. */
const untilLed = (cluster: SimCluster) =>
  Effect.gen(function*() {
    while (true) {
      const roles = [...cluster.currentRoles().values()]
      const leaders = roles.filter((role) => role.role === "leader")
      if (leaders.length === 1 && roles.length === cluster.nodeIds.length &&
        roles.every((role) => role.term === leaders[0]!.term && role.leaderId === leaders[0]!.leaderId))
      {
        return yield* Clock.currentTimeMillis
      }
      yield* Effect.sleep(100)
    }
  })

/** The role changes of every node after `sinceMs`. */
const roleChangesSince = (cluster: SimCluster, sinceMs: number) =>
  [...cluster.reports.entries()].flatMap(([node, incarnations]) =>
    incarnations.flatMap((report) => report.roleChanges.filter((change) => change.atMs > sinceMs).map((change) => ({ node, ...change })))
  )

/**
 * Writes and reads through every node in turn, one of each every 50 ms for
 * `durationMs`, and counts what was answered how: a read answered with a
 * value or "no such key" was served.
 */
const workload = (cluster: SimCluster, durationMs: number) =>
  Effect.gen(function*() {
    const client = yield* cluster.client("c1")
    const counts = { writesOk: 0, readsServed: 0, otherwise: 0 }
    const fibers: Array<Fiber.RuntimeFiber<void>> = []
    const send = (node: string, body: { readonly type: string; readonly [field: string]: unknown }) =>
      Effect.fork(Effect.map(Effect.either(client.rpc(node, body, 5000)), (answer) => {
        const type = Either.isRight(answer) ? answer.right.type : "timeout"
        const code = Either.isRight(answer) ? answer.right["code"] : undefined
        if (type === "write_ok") counts.writesOk++
        else if (type === "read_ok" || code === 20) counts.readsServed++
        else counts.otherwise++
      }))
    for (let i = 0; i * 50 < durationMs; i++) {
      const node = cluster.nodeIds[i % cluster.nodeIds.length]!
      fibers.push(yield* send(node, { type: "write", key: i % 5, value: i }))
      fibers.push(yield* send(node, { type: "read", key: (i + 2) % 5 }))
      yield* Effect.sleep(50)
    }
    yield* Fiber.joinAll(fibers)
    return counts
  })

const slowCluster = (disk: (node: string, disk: DiskShape) => DiskShape, snapshotEvery: number) =>
  makeSimCluster({
    nodeIds: ["n1", "n2", "n3"],
    network: { latency: { _tag: "Uniform", minMs: 1, maxMs: 5 } },
    config: { snapshotEvery },
    disk
  })

describe("a slow disk holds up no heartbeat, vote or read (disk IO happens after the state lock)", () => {
  it("with every fsync taking 300 ms, the first leader keeps its followers quiet and every request is served", () =>
    simulated(
      Effect.gen(function*() {
        const cluster = yield* slowCluster(slowFsyncs(300), 10_000)
        const led = yield* untilLed(cluster)
        const counts = yield* workload(cluster, 8000)
        // Once a leader leads, nobody campaigns again.
        expect(roleChangesSince(cluster, led)).toEqual([])
        expect(counts.otherwise).toBe(0)
        expect(counts.writesOk).toBe(160)
        expect(counts.readsServed).toBe(160)
        expect(cluster.violations).toEqual([])
      }).pipe(Effect.scoped),
      "slow fsyncs"
    ), 60_000)

  it("with every compaction taking 2 s to write, no term changes and reads and writes go on being served", () =>
    simulated(
      Effect.gen(function*() {
        const cluster = yield* slowCluster(slowCompactions(2000), 20)
        const led = yield* untilLed(cluster)
        const counts = yield* workload(cluster, 8000)
        // Each node compacted many times meanwhile.
        for (const node of cluster.nodeIds) {
          expect(new TextDecoder().decode(cluster.disks.get(node)!.contents(`/var/lib/raft/${node}.log`))).toContain(`{"snapshot":`)
        }
        // Once a leader leads, nobody campaigns again.
        expect(roleChangesSince(cluster, led)).toEqual([])
        expect(counts.otherwise).toBe(0)
        expect(counts.writesOk).toBe(160)
        expect(counts.readsServed).toBe(160)
        expect(cluster.violations).toEqual([])
      }).pipe(Effect.scoped),
      "slow compactions"
    ), 60_000)

  it("a leader whose disk freezes steps down, another leads, and its clients get answers within the request timeout", () =>
    simulated(
      Effect.gen(function*() {
        const frozen = new Set<string>()
        // A frozen disk's fsync never returns.
        const freezable = changedFsyncs((node, _target, fsync) => Effect.suspend(() => frozen.has(node) ? Effect.never : fsync))
        const cluster = yield* slowCluster(freezable, 10_000)
        const led = yield* untilLed(cluster)
        const leader = [...cluster.currentRoles()].find(([, role]) => role.role === "leader")![0]
        frozen.add(leader)
        const client = yield* cluster.client("c1")
        const answers = yield* Effect.forEach([1, 2, 3],
          (value) => Effect.fork(client.rpc(leader, { type: "write", key: 1, value }, 10_000)).pipe(Effect.tap(() => Effect.sleep(10))))
        const started = yield* Clock.currentTimeMillis
        const replies = yield* Effect.forEach(answers, (answer) => Effect.either(Fiber.join(answer)))
        // Every request got an answer, none later than the request timeout (2 s) after it was sent, plus a hop.
        expect(replies.every(Either.isRight)).toBe(true)
        expect((yield* Clock.currentTimeMillis) - started).toBeLessThan(2_100)
        yield* Effect.sleep(3_000)
        const changes = roleChangesSince(cluster, led)
        expect(changes).toContainEqual(expect.objectContaining({ node: leader, role: "follower" }))
        const roles = [...cluster.currentRoles()]
        expect(roles.filter(([node, role]) => role.role === "leader" && node !== leader)).toHaveLength(1)
        expect(cluster.violations).toEqual([])
      }).pipe(Effect.scoped),
      "frozen disk"
    ), 60_000)

  it("a follower applies only what is durable on its own disk: a crash takes nothing it acted on", () =>
    simulated(
      Effect.gen(function*() {
        const slow = new Set<string>()
        const slowWhenPicked = changedFsyncs((node, _target, fsync) =>
          Effect.suspend(() => slow.has(node) ? Effect.zipRight(Effect.sleep(1000), fsync) : fsync)
        )
        const cluster = yield* slowCluster(slowWhenPicked, 10_000)
        yield* untilLed(cluster)
        const leader = [...cluster.currentRoles()].find(([, role]) => role.role === "leader")![0]
        const follower = cluster.nodeIds.find((node) => node !== leader)!
        slow.add(follower)
        const client = yield* cluster.client("c1")
        for (let key = 0; key < 5; key++) yield* client.rpc(leader, { type: "write", key, value: key }, 2000)
        // The writes committed on the leader and the other follower; the slow one has them in memory, and
        // has heard from the leader that they committed, but its disk has not kept them yet.
        yield* Effect.sleep(200)
        yield* cluster.crash(follower)
        slow.delete(follower)
        yield* cluster.start(follower)
        yield* Effect.sleep(2000)
        expect(cluster.violations).toEqual([])
      }).pipe(Effect.scoped),
      "slow follower"
    ), 60_000)
})
