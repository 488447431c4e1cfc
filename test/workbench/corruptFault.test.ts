import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Either, Option, Random, Ref } from "effect"
import { toTestOptions } from "../../workbench/cli.js"
import { NodeInitError } from "../../workbench/cluster.js"
import { corruptFault, mostCorruptedAtOnce } from "../../workbench/corruptFault.js"
import { corruptibleDataDirectory } from "../../workbench/dataDirectory.js"
import { parsedOptions } from "./parsedOptions.js"

/**
 * A cluster whose node control only records what it is asked, each node with a
 * working directory of its own holding `data/<node>.log`; the log's contents
 * are checked when the node is killed and restarted, to see the damage was
 * done while it was down, and restored after the restart, as a leader would repair it.
 */
const fakeCluster = (nodeCount: number, restartError?: NodeInitError) =>
  Effect.gen(function*() {
    const root = mkdtempSync(join(tmpdir(), "corrupt-fault-"))
    const nodes = Array.from({ length: nodeCount }, (_, i) => `n${i}`)
    const original = "0123456789".repeat(100)
    const repair = (node: string) => {
      mkdirSync(join(root, node, "data"), { recursive: true })
      writeFileSync(join(root, node, "data", `${node}.log`), original)
    }
    nodes.forEach(repair)
    const down = yield* Ref.make<ReadonlySet<string>>(new Set())
    const log = yield* Ref.make<ReadonlyArray<string>>([])
    const logPath = (node: string) => join(root, node, "data", `${node}.log`)
    const logIntact = (node: string) => existsSync(logPath(node)) && readFileSync(logPath(node), "utf8") === original
    const record = (entry: string) => Ref.update(log, (l) => [...l, entry])
    return {
      log,
      logIntact,
      cluster: {
        nodeDirectory: (node: string) => join(root, node),
        runningNodes: Effect.map(Ref.get(down), (d) => nodes.filter((node) => !d.has(node))),
        kill: (node: string) =>
          Effect.gen(function*() {
            // Damage before the kill would be a node's files changed under it.
            expect(logIntact(node)).toBe(true)
            yield* record(`kill ${node}`)
            yield* Ref.update(down, (d) => new Set([...d, node]))
            return true
          }),
        restart: (node: string) =>
          Effect.gen(function*() {
            yield* record(`restart ${node} ${logIntact(node) ? "intact" : "damaged"}`)
            repair(node)
            yield* Ref.update(down, (d) => new Set([...d].filter((n) => n !== node)))
            if (restartError !== undefined) return yield* restartError
          })
      }
    }
  })

const strikes = (nodeCount: number, times: number, seed: number) =>
  Effect.gen(function*() {
    const { cluster, log } = yield* fakeCluster(nodeCount)
    const fault = yield* corruptFault(cluster, { nodeCount, dataDirectory: "data" })
    const injected = []
    for (let i = 0; i < times; i++) {
      const one = Option.getOrThrow(yield* fault.inject)
      expect(Option.isNone(yield* one.heal)).toBe(true)
      injected.push(one)
    }
    return { injected, log: yield* Ref.get(log) }
  }).pipe(Effect.withRandom(Random.make(seed)), Effect.provide(NodeContext.layer))

describe("the corrupt fault", () => {
  it("strikes at most a minority: none of 1 or 2 nodes, 1 of 3 or 4, 2 of 5", () => {
    expect([1, 2, 3, 4, 5, 7].map(mostCorruptedAtOnce)).toEqual([0, 0, 1, 1, 2, 3])
  })

  it.effect("kills a random minority, damages each one's files while it is down, in a way drawn for each, and restarts it", () =>
    Effect.gen(function*() {
      const { injected, log } = yield* strikes(5, 60, 4)
      expect(injected.every((f) => f.nodes.length >= 1 && f.nodes.length <= 2)).toBe(true)
      expect(new Set(injected.map((f) => f.nodes.length))).toEqual(new Set([1, 2]))
      expect(new Set(injected.flatMap((f) => f.nodes))).toEqual(new Set(["n0", "n1", "n2", "n3", "n4"]))
      const corruptions = injected.flatMap((f) => f.corruptions ?? [])
      expect(corruptions.map((c) => c.node)).toEqual(injected.flatMap((f) => f.nodes))
      expect(new Set(corruptions.map((c) => c.kind))).toEqual(new Set(["truncate", "bitflip", "wipe"]))
      // Each strike names the node's file, where it was changed and how much, and says so in its description.
      for (const fault of injected) {
        for (const c of fault.corruptions!) {
          expect(c.directory).toBe("data")
          if (c.kind !== "wipe" && c.files.length > 0) expect(fault.description).toContain(`data/${c.node}.log`)
        }
      }
      // Every node struck is killed, then restarted with its files damaged.
      const kills = log.filter((e) => e.startsWith("kill")).map((e) => e.split(" ")[1])
      const restarts = log.filter((e) => e.startsWith("restart"))
      expect(restarts.map((e) => e.split(" ")[1])).toEqual(kills)
      expect(restarts.every((e) => e.endsWith("damaged"))).toBe(true)
    }))

  it.effect("strikes one node at a time of 3, and draws the same strikes from the same seed", () =>
    Effect.gen(function*() {
      const first = yield* strikes(3, 10, 7)
      expect(first.injected.every((f) => f.nodes.length === 1)).toBe(true)
      const again = yield* strikes(3, 10, 7)
      expect(again.injected.map((f) => f.description)).toEqual(first.injected.map((f) => f.description))
    }))

  it.effect("strikes nothing when no node is running, and reports a struck node that did not come back", () =>
    Effect.gen(function*() {
      const { cluster } = yield* fakeCluster(3, new NodeInitError({ message: "n0 did not answer init within 10 s", exited: false }))
      const fault = yield* corruptFault({ ...cluster, runningNodes: Effect.succeed([]) }, { nodeCount: 3, dataDirectory: "data" })
      expect(Option.isNone(yield* fault.inject)).toBe(true)
      const struck = Option.getOrThrow(yield* (yield* corruptFault(cluster, { nodeCount: 3, dataDirectory: "data" })).inject)
      expect(Option.getOrThrow(yield* struck.heal)).toMatch(
        /^n\d did not come back after it was killed and its files damaged: n0 did not answer init within 10 s$/
      )
    }).pipe(Effect.withRandom(Random.make(1)), Effect.provide(NodeContext.layer)))
})

describe("the data directory the corrupt nemesis damages", () => {
  const found = (args: ReadonlyArray<string>) => Either.getOrUndefined(corruptibleDataDirectory(args))
  const refusal = (args: ReadonlyArray<string>) => Either.getOrThrow(Either.flip(corruptibleDataDirectory(args))).message

  it("is the node's --data-dir, relative to its working directory", () => {
    expect(found(["--data-dir", "data"])).toBe("data")
    expect(found(["--heartbeat-ms", "50", "--data-dir=./state/raft/"])).toBe("state/raft")
  })

  it("is refused when the node's arguments name none, or one outside its working directory, or several", () => {
    expect(refusal([])).toContain("but the node's arguments name none (--data-dir)")
    expect(refusal([])).toContain("such as: -- --data-dir data")
    expect(refusal(["--data-dir"])).toContain("is given no directory")
    expect(refusal(["--data-dir", "--heartbeat-ms"])).toContain("is given no directory")
    expect(refusal(["--data-dir", "/var/lib/raft"])).toContain("\"/var/lib/raft\" is absolute: every node would share it")
    for (const outside of [".", "./", "..", "data/../..", "../data"]) {
      expect(refusal(["--data-dir", outside])).toContain("is not inside the node's working directory")
    }
    expect(refusal(["--data-dir", "a", "--data-dir=b"])).toContain("name 2 (a, b)")
  })
})

describe("--nemesis corrupt on the command line", () => {
  const options = (nodeCount: string, binArgs: ReadonlyArray<string>, nemesis = "partition,corrupt") =>
    toTestOptions(parsedOptions({ nodeCount, nemesis: Option.some(nemesis), binArgs }))
  const refusal = (nodeCount: string, binArgs: ReadonlyArray<string>) =>
    Effect.map(Effect.flip(options(nodeCount, binArgs)), (error) => error.message)

  it.effect("takes the data directory from the node's arguments", () =>
    Effect.gen(function*() {
      const test = yield* options("3", ["--data-dir", "data/"])
      expect(test.nemesis).toEqual(["partition", "corrupt"])
      expect(test.dataDirectory).toBe("data")
    }))

  it.effect("refuses it without a data directory inside each node's working directory, or on fewer than 3 nodes", () =>
    Effect.gen(function*() {
      expect(yield* refusal("3", [])).toContain("but the node's arguments name none")
      expect(yield* refusal("5", ["--data-dir", "/tmp/raft"])).toContain("\"/tmp/raft\" is absolute: every node would share it")
      expect(yield* refusal("2", ["--data-dir", "data"])).toBe(
        "--nemesis corrupt damages a minority of the nodes at a time, so it needs at least 3 nodes, not 2"
      )
      // Without corrupt, nothing is asked of the node's arguments or the cluster's size.
      expect((yield* options("1", [], "kill")).dataDirectory).toBeUndefined()
    }))
})
