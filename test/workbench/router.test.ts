import { Effect } from "effect"
import { describe, expect, it } from "@effect/vitest"
import { isCut, noPartition, type Partition, partitionShapes, shapesFor } from "../../linkv/partitionShapes.js"
import { makeRouter } from "../../workbench/router.js"

const nodes = ["n1", "n2", "n3", "n4", "n5"]
const line = (src: string, dest: string) => JSON.stringify({ src, dest, body: { type: "ping", msg_id: 1 } })

/** A router over fake nodes that only collect what reaches them. */
const routerWithInboxes = Effect.gen(function*() {
  const inboxes = new Map(nodes.map((node) => [node, [] as Array<string>]))
  const router = yield* makeRouter({
    nodes: new Map(nodes.map((node) => [node, (text: string) => Effect.sync(() => void inboxes.get(node)!.push(text))])),
    latency: { _tag: "Constant", ms: 0 }
  })
  return { router, inboxes }
})

/** Sends one message over every ordered pair and returns which pairs got through. */
const delivered = (partition: Partition) =>
  Effect.gen(function*() {
    const { router, inboxes } = yield* routerWithInboxes
    yield* router.setPartition(partition)
    for (const src of nodes) for (const dest of nodes) if (src !== dest) yield* router.fromNode(src, line(src, dest))
    const through = new Set<string>()
    for (const [dest, inbox] of inboxes) for (const text of inbox) through.add(`${JSON.parse(text).src}->${dest}`)
    return { through, counters: yield* router.counters }
  })

const allPairs = nodes.flatMap((src) => nodes.filter((d) => d !== src).map((dest) => `${src}->${dest}`))

describe("router and partitions", () => {
  it.scoped("with no partition every node reaches every other", () =>
    Effect.gen(function*() {
      const { through, counters } = yield* delivered(noPartition)
      expect([...through].sort()).toEqual([...allPairs].sort())
      expect(counters.cutByPartition).toBe(0)
    }))

  it.scoped("a partition delivers exactly the links it does not cut, and drops the others", () =>
    Effect.gen(function*() {
      for (const shape of shapesFor(nodes.length)) {
        const partition = partitionShapes[shape](["n4", "n1", "n5", "n2", "n3"])
        const { through, counters } = yield* delivered(partition)
        const expected = allPairs.filter((pair) => {
          const [src, dest] = pair.split("->") as [string, string]
          return !isCut(partition, src, dest)
        })
        expect([...through].sort()).toEqual(expected.sort())
        expect(counters.cutByPartition).toBe(allPairs.length - expected.length)
        expect(counters.cutByPartition).toBeGreaterThan(0)
      }
    }))

  it.scoped("wrong src and unknown dest are counted, not delivered", () =>
    Effect.gen(function*() {
      const { router, inboxes } = yield* routerWithInboxes
      yield* router.fromNode("n1", line("n2", "n3"))
      yield* router.fromNode("n1", line("n1", "n9"))
      yield* router.fromNode("n1", line("n1", "c7"))
      const counters = yield* router.counters
      expect(counters).toMatchObject({ unknownSrc: 1, unknownDest: 2, nodeToNode: 0, stdoutCutOff: [] })
      expect(counters.samples.map((s) => s.node)).toEqual(["n1", "n1", "n1"])
      expect([...inboxes.values()].flat()).toEqual([])
    }))

  it.scoped("a line that is no message cuts off that node's stdout, as in Maelstrom, and only that node's", () =>
    Effect.gen(function*() {
      const { router, inboxes } = yield* routerWithInboxes
      yield* router.fromNode("n1", "hello, I am a debug print")
      yield* router.fromNode("n1", line("n1", "n2"))
      yield* router.fromNode("n3", JSON.stringify({ src: "n3", dest: "n2" }))
      yield* router.fromNode("n3", "later lines are not read")
      yield* router.fromNode("n4", line("n4", "n2"))
      const counters = yield* router.counters
      expect(counters.stdoutCutOff).toEqual([
        { node: "n1", line: "hello, I am a debug print" },
        { node: "n3", line: JSON.stringify({ src: "n3", dest: "n2" }) }
      ])
      expect(inboxes.get("n2")).toEqual([line("n4", "n2")])
    }))

  it.scoped("client replies are never cut by a partition", () =>
    Effect.gen(function*() {
      const { router } = yield* routerWithInboxes
      const got: Array<string> = []
      yield* router.openClient("c1", (envelope) => Effect.sync(() => void got.push(envelope.src)))
      yield* router.setPartition(partitionShapes["isolate one"](nodes))
      yield* router.fromNode("n1", line("n1", "c1"))
      expect(got).toEqual(["n1"])
    }))
})
