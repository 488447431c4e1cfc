import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, Random, Ref } from "effect"
import { toTestOptions } from "../../workbench/cli.js"
import { exitIsCrash, NodeInitError, receivesMessages } from "../../workbench/cluster.js"
import { NodeSpawnError } from "../../workbench/nodeProcess.js"
import { killFault, pauseFault } from "../../workbench/processFaults.js"
import { parsedOptions } from "./parsedOptions.js"

/** A cluster of three whose node control only records what it is asked; `restartError` makes every restart fail so. */
const fakeCluster = (restartError?: NodeInitError | NodeSpawnError) =>
  Effect.gen(function*() {
    const down = yield* Ref.make<ReadonlySet<string>>(new Set())
    const log = yield* Ref.make<ReadonlyArray<string>>([])
    const record = (entry: string) => Ref.update(log, (l) => [...l, entry])
    const strike = (verb: string) => (node: string) =>
      Effect.zipRight(record(`${verb} ${node}`), Effect.as(Ref.update(down, (d) => new Set([...d, node])), true))
    const back = (verb: string) => (node: string) =>
      Effect.zipRight(record(`${verb} ${node}`), Ref.update(down, (d) => new Set([...d].filter((n) => n !== node))))
    return {
      log,
      cluster: {
        runningNodes: Effect.map(Ref.get(down), (d) => ["n0", "n1", "n2"].filter((node) => !d.has(node))),
        kill: strike("kill"),
        stop: strike("stop"),
        pause: strike("pause"),
        resume: back("resume"),
        restart: (node: string) => restartError === undefined ? back("restart")(node) : Effect.fail(restartError)
      }
    }
  })

describe("the kill and pause faults", () => {
  it.effect("strike a random running node, never one that is down or paused, and heal by restart or continue", () =>
    Effect.gen(function*() {
      const { cluster, log } = yield* fakeCluster()
      const kill = killFault(cluster, "kill")
      const pause = pauseFault(cluster)
      const struck = []
      for (const fault of [kill, pause, kill]) struck.push(Option.getOrThrow(yield* fault.inject))
      expect(new Set(struck.flatMap((f) => f.nodes)).size).toBe(3)
      // Every node is down or paused: nothing left to strike.
      expect(Option.isNone(yield* pause.inject)).toBe(true)
      for (const fault of struck) expect(Option.isNone(yield* fault.heal)).toBe(true)
      expect((yield* Ref.get(log)).map((e) => e.split(" ")[0])).toEqual(["kill", "pause", "kill", "restart", "resume", "restart"])
      expect(struck.map((f) => f.description)).toEqual([
        `${struck[0]!.nodes[0]} killed`,
        `${struck[1]!.nodes[0]} paused`,
        `${struck[2]!.nodes[0]} killed`
      ])
    }).pipe(Effect.withRandom(Random.make(1))))

  it.effect("with --kill-signal term, stop the node gracefully instead, and say so", () =>
    Effect.gen(function*() {
      const { cluster, log } = yield* fakeCluster()
      const stopped = Option.getOrThrow(yield* killFault(cluster, "term").inject)
      const [node] = stopped.nodes
      expect(stopped.description).toBe(`${node} stopped (SIGTERM)`)
      yield* stopped.heal
      expect(yield* Ref.get(log)).toEqual([`stop ${node}`, `restart ${node}`])
    }).pipe(Effect.withRandom(Random.make(1))))

  it.effect("report a killed node that does not come back, unless it exited (then it is listed as a crash)", () =>
    Effect.gen(function*() {
      const heal = (error: NodeInitError | NodeSpawnError) =>
        Effect.flatMap(fakeCluster(error),
          ({ cluster }) => Effect.flatMap(killFault(cluster, "kill").inject, (fault) => Option.getOrThrow(fault).heal))
      const silent = yield* heal(new NodeInitError({ message: "n1 did not answer init within 10 s", exited: false }))
      expect(Option.getOrThrow(silent)).toMatch(/^n\d did not come back after it was killed: n1 did not answer init within 10 s$/)
      const gone = yield* heal(new NodeSpawnError({ node: "n1", message: "cannot start bin/raft: ENOENT" }))
      expect(Option.getOrThrow(gone)).toContain("cannot start bin/raft: ENOENT")
      expect(Option.isNone(yield* heal(new NodeInitError({ message: "n1 exited", exited: true })))).toBe(true)
    }).pipe(Effect.withRandom(Random.make(1))))
})

describe("node life in the cluster", () => {
  it("counts an exit as a crash unless the nemesis killed or stopped the node or the test is stopping", () => {
    for (const status of ["running", "paused", "restarting"] as const) {
      expect(exitIsCrash(status, false)).toBe(true)
      expect(exitIsCrash(status, true)).toBe(false)
    }
    expect(exitIsCrash("killed", false)).toBe(false)
    expect(exitIsCrash("stopping", false)).toBe(false)
  })

  it("delivers messages to running, paused and stopping nodes only: a killed node, or one not yet initialized again, misses them", () => {
    expect(receivesMessages("running")).toBe(true)
    expect(receivesMessages("paused")).toBe(true)
    expect(receivesMessages("stopping")).toBe(true)
    expect(receivesMessages("killed")).toBe(false)
    expect(receivesMessages("restarting")).toBe(false)
    expect(receivesMessages("crashed")).toBe(false)
  })
})

describe("--kill-signal on the command line", () => {
  const options = (killSignal: string, nemesis: string) => toTestOptions(parsedOptions({ nemesis: Option.some(nemesis), killSignal }))

  it.effect("takes kill or term with the kill nemesis, and refuses anything else, or term without the kill nemesis", () =>
    Effect.gen(function*() {
      expect((yield* options("term", "partition,kill")).killSignal).toBe("term")
      expect((yield* options("kill", "partition")).killSignal).toBe("kill")
      expect((yield* Effect.flip(options("hup", "kill"))).message).toBe("--kill-signal \"hup\": expected one of kill, term")
      expect((yield* Effect.flip(options("term", "partition"))).message).toBe(
        "--kill-signal term is for the kill nemesis: add kill to --nemesis"
      )
    }))
})
