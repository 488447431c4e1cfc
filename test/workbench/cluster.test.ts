import { describe, expect, it } from "@effect/vitest"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Fiber, Option, Queue } from "effect"
import type { Envelope } from "../../src/protocol/envelope.js"
import { startCluster } from "../../workbench/cluster.js"
import type { TestOptions } from "../../workbench/testOptions.js"
import { repoRoot } from "./workbenchRun.js"

const test: TestOptions = {
  workload: "lin-kv",
  bin: join(repoRoot, "test/workbench/fixtures/memory-kv-node.mjs"),
  binArgs: [],
  nodeIds: ["n0"],
  concurrency: 1,
  rate: 1,
  timeLimitSeconds: 1,
  latencyMs: 0,
  latencyDistribution: "constant",
  availability: undefined,
  nemesis: ["kill", "pause"],
  nemesisIntervalSeconds: 1,
  killSignal: "kill",
  dataDirectory: undefined,
  valueBytes: undefined,
  testCount: 1,
  seed: 1,
  logStderr: false,
  storeDir: tmpdir()
}

describe("a cluster's node processes (real processes of a one-node KV)", () => {
  it.live("a paused node answers once continued; a killed node misses what is sent while it is down, and comes back without a crash",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const dir = mkdtempSync(join(tmpdir(), "workbench-cluster-test-"))
        const cluster = yield* startCluster({ test, workDir: dir, logPath: (node) => join(dir, `${node}.log`) })
        const replies = yield* Queue.unbounded<Envelope>()
        yield* cluster.router.openClient("t1", (envelope) => Queue.offer(replies, envelope))
        let msgId = 0
        const send = (body: Record<string, unknown>) => {
          msgId += 1
          return cluster.router.fromClient({ src: "t1", dest: "n0", body: { ...body, msg_id: msgId } as Envelope["body"] })
        }
        const reply = Effect.map(Queue.take(replies), (envelope) => envelope.body)

        yield* send({ type: "write", key: 1, value: 7 })
        expect(yield* reply).toMatchObject({ type: "write_ok" })

        expect(yield* cluster.pause("n0")).toBe(true)
        expect(yield* cluster.runningNodes).toEqual([])
        yield* send({ type: "read", key: 1 })
        expect(Option.isNone(yield* Effect.timeoutOption(Queue.take(replies), 500))).toBe(true)
        yield* cluster.resume("n0")
        expect(yield* reply).toMatchObject({ type: "read_ok", value: 7, in_reply_to: msgId })

        expect(yield* cluster.kill("n0")).toBe(true)
        expect(yield* cluster.kill("n0")).toBe(false)
        yield* send({ type: "write", key: 2, value: 1 })
        yield* cluster.restart("n0")
        expect(yield* cluster.runningNodes).toEqual(["n0"])
        // The write sent while it was down never reached it; the new process remembers nothing.
        yield* send({ type: "read", key: 1 })
        expect(yield* reply).toMatchObject({ type: "error", code: 20, in_reply_to: msgId })
        expect(yield* Queue.size(replies)).toBe(0)
        expect(yield* cluster.crashesSince(0)).toEqual([])
      })), 60_000)

  it.live("a node stopped gracefully gets messages until its process exits, and none after", () =>
    Effect.scoped(Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "workbench-cluster-test-"))
      const cluster = yield* startCluster({
        test: { ...test, bin: join(repoRoot, "test/workbench/fixtures/lingering-kv-node.mjs"), killSignal: "term" },
        workDir: dir,
        logPath: (node) => join(dir, `${node}.log`)
      })
      const replies = yield* Queue.unbounded<Envelope>()
      yield* cluster.router.openClient("t1", (envelope) => Queue.offer(replies, envelope))
      const send = (msgId: number, body: Record<string, unknown>) =>
        cluster.router.fromClient({ src: "t1", dest: "n0", body: { ...body, msg_id: msgId } as Envelope["body"] })

      const stopping = yield* Effect.fork(cluster.stop("n0"))
      yield* Effect.sleep(200)
      // Neither struck again nor cut off: it is still on the network while it stops.
      expect(yield* cluster.runningNodes).toEqual([])
      yield* send(1, { type: "write", key: 1, value: 3 })
      const answered = yield* Effect.timeoutOption(Queue.take(replies), 250)
      expect(Option.getOrNull(answered)?.body).toMatchObject({ type: "write_ok", in_reply_to: 1 })
      expect(yield* Fiber.join(stopping)).toBe(true)
      yield* send(2, { type: "read", key: 1 })
      expect(Option.isNone(yield* Effect.timeoutOption(Queue.take(replies), 300))).toBe(true)
      expect(yield* cluster.crashesSince(0)).toEqual([])
    })), 60_000)
})
