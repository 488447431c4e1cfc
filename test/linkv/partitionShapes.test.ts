import { Effect, Option, Random } from "effect"
import { describe, expect, it } from "@effect/vitest"
import {
  cutLinks,
  isCut,
  type Partition,
  type PartitionShape,
  partitionShapes,
  randomPartition,
  shapesFor
} from "../../linkv/partitionShapes.js"

const nodesOf = (count: number) => Array.from({ length: count }, (_, i) => `n${i + 1}`)

/** The cut of a shape over n1..nK in that order, as `src>dest` one-way links. */
const cut = (shape: PartitionShape, count: number) =>
  cutLinks(partitionShapes[shape](nodesOf(count)), nodesOf(count)).map(([src, dest]) => `${src}>${dest}`)

/** Both directions of every link between two groups of node numbers, in the order `cut` lists them. */
const between = (left: ReadonlyArray<number>, right: ReadonlyArray<number>) => {
  const apart = (a: number, b: number) => (left.includes(a) && right.includes(b)) || (right.includes(a) && left.includes(b))
  const all = [...left, ...right].sort((a, b) => a - b)
  return all.flatMap((src) => all.filter((dest) => apart(src, dest)).map((dest) => `n${src}>n${dest}`))
}

/** Who each node hears from (itself included), as sorted names. */
const heardBy = (partition: Partition, nodes: ReadonlyArray<string>) =>
  nodes.map((dest) => nodes.filter((src) => !isCut(partition, src, dest)).join(" "))

describe("Maelstrom's partition shapes", () => {
  it("on 3 nodes: one node isolated, or a ring in which each node hears one other", () => {
    expect(shapesFor(3)).toEqual(["isolate one", "majorities ring"])
    expect(cut("isolate one", 3)).toEqual(between([1], [2, 3]))
    // n1 hears n3, n2 hears n1, n3 hears n2: three links cut one way only.
    expect(cut("majorities ring", 3)).toEqual(["n1>n3", "n2>n1", "n3>n2"])
  })

  it("on 5 nodes: one isolated, two against three, or a ring of neighbours", () => {
    expect(shapesFor(5)).toEqual(["isolate one", "halves", "majorities ring"])
    expect(cut("isolate one", 5)).toEqual(between([1], [2, 3, 4, 5]))
    expect(cut("halves", 5)).toEqual(between([1, 2], [3, 4, 5]))
    // Each node hears its two neighbours on the ring n1..n5: every non-neighbour link is cut both ways.
    expect(cut("majorities ring", 5)).toEqual([
      "n1>n3",
      "n1>n4",
      "n2>n4",
      "n2>n5",
      "n3>n1",
      "n3>n5",
      "n4>n1",
      "n4>n2",
      "n5>n2",
      "n5>n3"
    ])
  })

  it("on 7 nodes: one isolated, two against five, three against four, or a ring", () => {
    expect(shapesFor(7)).toEqual(["isolate one", "minority third", "halves", "majorities ring"])
    expect(cut("isolate one", 7)).toEqual(between([1], [2, 3, 4, 5, 6, 7]))
    expect(cut("minority third", 7)).toEqual(between([1, 2], [3, 4, 5, 6, 7]))
    expect(cut("halves", 7)).toEqual(between([1, 2, 3], [4, 5, 6, 7]))
    // Each node hears the four from two before it to one after it: n1 hears n6 n7 n1 n2.
    const ring = partitionShapes["majorities ring"](nodesOf(7))
    expect(heardBy(ring, nodesOf(7))).toEqual([
      "n1 n2 n6 n7",
      "n1 n2 n3 n7",
      "n1 n2 n3 n4",
      "n2 n3 n4 n5",
      "n3 n4 n5 n6",
      "n4 n5 n6 n7",
      "n1 n5 n6 n7"
    ])
    expect(cut("majorities ring", 7)).toHaveLength(7 * 3)
  })

  it("the shapes offered for 1 to 9 nodes each cut something, and differ from one another", () => {
    expect(shapesFor(1)).toEqual([])
    expect(shapesFor(2)).toEqual(["isolate one"])
    for (const count of [4, 6]) expect(shapesFor(count)).toEqual(["isolate one", "halves", "majorities ring"])
    for (const count of [8, 9]) expect(shapesFor(count)).toEqual(["isolate one", "minority third", "halves", "majorities ring"])
    for (let count = 1; count <= 9; count++) {
      const nodes = nodesOf(count)
      const cuts = shapesFor(count).map((shape) => cut(shape, count).join(","))
      for (const links of cuts) expect(links).not.toBe("")
      expect(new Set(cuts).size).toBe(cuts.length)
      // The shapes not offered cut nothing, or exactly what an offered one cuts.
      for (const shape of Object.keys(partitionShapes) as Array<PartitionShape>) {
        if (shapesFor(count).includes(shape)) continue
        const links = cut(shape, count).join(",")
        expect(links === "" || cuts.includes(links), `${shape} on ${count} nodes`).toBe(true)
      }
      for (const node of nodes) expect(isCut(partitionShapes["isolate one"](nodes), node, node)).toBe(false)
    }
  })

  it("a majorities ring on 3 to 9 nodes: every node hears a majority, no two the same one", () => {
    for (let count = 3; count <= 9; count++) {
      const nodes = nodesOf(count)
      const heard = heardBy(partitionShapes["majorities ring"](nodes), nodes)
      for (const [i, group] of heard.entries()) {
        expect(group.split(" ")).toHaveLength(Math.floor(count / 2) + 1)
        expect(group.split(" ")).toContain(nodes[i])
      }
      expect(new Set(heard).size).toBe(count)
    }
  })

  it.effect("random partitions use the offered shapes, and none exists on one node", () =>
    Effect.gen(function*() {
      expect(Option.isNone(yield* randomPartition(["n1"]))).toBe(true)
      const seen = new Set<string>()
      for (let i = 0; i < 200; i++) {
        const partition = Option.getOrThrow(yield* randomPartition(nodesOf(3)))
        expect(cutLinks(partition, nodesOf(3)).length).toBeGreaterThan(0)
        seen.add(partition.description.split(" [")[0]!.replace(/ n\d.*$/, ""))
      }
      expect([...seen].sort()).toEqual(["isolate one", "majorities ring"])
    }).pipe(Effect.withRandom(Random.make(7))))
})
