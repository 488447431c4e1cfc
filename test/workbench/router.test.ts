import { Effect, TestClock } from "effect"
import { describe, expect, it } from "@effect/vitest"
import { isCut, noPartition, type Partition, partitionShapes, shapesFor } from "../../linkv/partitionShapes.js"
import { makeRouter } from "../../workbench/router.js"

const nodes = ["n1", "n2", "n3", "n4", "n5"]
const line = (src: string, dest: string) => JSON.stringify({ src, dest, body: { type: "ping", msg_id: 1 } })

/** A router over fake nodes that only collect what reaches them, with a constant node-to-node latency. */
const routerWithLatency = (ms: number) =>
  Effect.gen(function*() {
    const inboxes = new Map(nodes.map((node) => [node, [] as Array<string>]))
    const router = yield* makeRouter({
      nodes: new Map(nodes.map((node) => [node, (text: string) => Effect.sync(() => inboxes.get(node)!.push(text) > 0)])),
      latency: { _tag: "Constant", ms }
    })
    return { router, inboxes }
  })

const routerWithInboxes = routerWithLatency(0)

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

  it.scoped("unknown src and unknown dest are counted, not delivered", () =>
    Effect.gen(function*() {
      const { router, inboxes } = yield* routerWithInboxes
      yield* router.fromNode("n1", line("n9", "n3"))
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

  it.scoped("a node may send in the name of any known node or client, as in Maelstrom", () =>
    Effect.gen(function*() {
      const { router, inboxes } = yield* routerWithInboxes
      const got: Array<string> = []
      yield* router.openClient("c1", (envelope) => Effect.sync(() => void got.push(`${envelope.src}->${envelope.dest}`)))
      yield* router.fromNode("n1", line("n2", "n3"))
      yield* router.fromNode("n1", line("c1", "n3"))
      yield* router.fromNode("n1", line("n2", "c1"))
      expect(inboxes.get("n3")!.map((text) => JSON.parse(text).src)).toEqual(["n2", "c1"])
      expect(got).toEqual(["n2->c1"])
      const counters = yield* router.counters
      expect(counters).toMatchObject({ nodeToNode: 1, clientToNode: 1, nodeToClient: 1, unknownSrc: 0, unknownDest: 0 })
    }))

  it.scoped("a forwarded client message is never cut: a partition is between nodes", () =>
    Effect.gen(function*() {
      const { router, inboxes } = yield* routerWithInboxes
      yield* router.openClient("c1", () => Effect.void)
      yield* router.setPartition(partitionShapes["isolate one"](nodes))
      yield* router.fromNode("n2", line("c1", "n1"))
      yield* router.fromNode("n2", line("n2", "n1"))
      expect(inboxes.get("n1")!.map((text) => JSON.parse(text).src)).toEqual(["c1"])
    }))

  it.scoped("a message in flight when a partition cuts its link is dropped on arrival", () =>
    Effect.gen(function*() {
      const { router, inboxes } = yield* routerWithLatency(50)
      yield* router.fromNode("n1", line("n1", "n2"))
      yield* router.fromNode("n3", line("n3", "n2"))
      yield* TestClock.adjust(20)
      // n1 is cut off while both messages travel; n3's link to n2 stays.
      yield* router.setPartition(partitionShapes["isolate one"](nodes))
      yield* TestClock.adjust(40)
      expect(inboxes.get("n2")).toEqual([line("n3", "n2")])
      expect((yield* router.counters).cutByPartition).toBe(1)
    }))

  it.scoped("a message sent across a cut is dropped even if the cut heals while it would travel", () =>
    Effect.gen(function*() {
      const { router, inboxes } = yield* routerWithLatency(50)
      yield* router.setPartition(partitionShapes["isolate one"](nodes))
      yield* router.fromNode("n1", line("n1", "n2"))
      yield* router.setPartition(noPartition)
      yield* TestClock.adjust(60)
      expect(inboxes.get("n2")).toEqual([])
      yield* router.fromNode("n1", line("n1", "n2"))
      yield* TestClock.adjust(60)
      expect(inboxes.get("n2")).toEqual([line("n1", "n2")])
    }))

  it.scoped("a node's request to a built-in service is answered, with latency both ways, across any partition", () =>
    Effect.gen(function*() {
      const { router, inboxes } = yield* routerWithLatency(50)
      yield* router.setPartition(partitionShapes["isolate one"](nodes))
      const request = (src: string, msgId: number, body: object) =>
        JSON.stringify({ src, dest: "lin-kv", body: { ...body, msg_id: msgId } })
      for (const node of nodes) yield* router.fromNode(node, request(node, 7, { type: "write", key: node, value: 1 }))
      yield* TestClock.adjust(99)
      expect([...inboxes.values()].flat()).toEqual([])
      yield* TestClock.adjust(1)
      for (const node of nodes) {
        expect(inboxes.get(node)!.map((text) => JSON.parse(text))[0]).toEqual({
          src: "lin-kv",
          dest: node,
          body: { type: "write_ok", in_reply_to: 7 }
        })
      }
      // n1, isolated from the other nodes, wrote; n2 reads what it wrote.
      yield* router.fromNode("n2", request("n2", 8, { type: "read", key: "n1" }))
      yield* TestClock.adjust(100)
      expect(JSON.parse(inboxes.get("n2")![1]!).body).toEqual({ type: "read_ok", value: 1, in_reply_to: 8 })
      const counters = yield* router.counters
      expect(counters).toMatchObject({ toServices: 6, fromServices: 6, cutByPartition: 0, nodeToNode: 0, unknownDest: 0 })
    }))

  it.scoped("a service answers the request's src: a client gets it at once, a service gets nothing", () =>
    Effect.gen(function*() {
      const { router, inboxes } = yield* routerWithLatency(50)
      const got: Array<unknown> = []
      yield* router.openClient("c1", (envelope) => Effect.sync(() => void got.push(envelope)))
      yield* router.fromNode("n1", JSON.stringify({ src: "c1", dest: "lin-tso", body: { type: "ts", msg_id: 3 } }))
      expect(got).toEqual([{ src: "lin-tso", dest: "c1", body: { type: "ts_ok", ts: 0, in_reply_to: 3 } }])
      yield* router.fromNode("n1", JSON.stringify({ src: "seq-kv", dest: "lin-kv", body: { type: "read", key: 1, msg_id: 4 } }))
      yield* TestClock.adjust(200)
      expect([...inboxes.values()].flat()).toEqual([])
      expect(yield* router.counters).toMatchObject({ toServices: 2, fromServices: 1, unknownSrc: 0, unknownDest: 0 })
    }))

  it.scoped("a reading of the counters stays as it was when later messages are counted", () =>
    Effect.gen(function*() {
      const { router } = yield* routerWithInboxes
      yield* router.fromNode("n1", line("n1", "n2"))
      yield* router.fromNode("n1", line("n9", "n2"))
      const before = yield* router.counters
      yield* router.fromNode("n1", line("n1", "n2"))
      yield* router.fromNode("n1", line("n9", "n2"))
      yield* router.fromNode("n3", "not a message")
      expect(before).toMatchObject({ nodeToNode: 1, unknownSrc: 1, stdoutCutOff: [] })
      expect(before.samples.length).toBe(1)
      expect(yield* router.counters).toMatchObject({ nodeToNode: 2, unknownSrc: 2 })
    }))

  it.scoped("counts a message for a node that did not receive it (down) as lost there", () =>
    Effect.gen(function*() {
      const received: Array<string> = []
      const router = yield* makeRouter({
        nodes: new Map([
          ["n1", (text: string) => Effect.sync(() => received.push(text) > 0)],
          ["n2", () => Effect.succeed(false)]
        ]),
        latency: { _tag: "Constant", ms: 0 }
      })
      yield* router.fromNode("n1", line("n1", "n2"))
      yield* router.fromNode("n2", line("n2", "n1"))
      expect(received.length).toBe(1)
      expect(yield* router.counters).toMatchObject({ nodeToNode: 2, toDownNode: 1, cutByPartition: 0 })
    }))
})
