import { Chunk, Effect, Random } from "effect"

/**
 * A network partition as a grudge: for each node, the nodes whose messages it
 * no longer receives. Symmetric shapes block both directions; the majorities
 * ring is directed. Only node<->node links are ever cut, never clients.
 */
export interface Partition {
  readonly description: string
  readonly blocked: ReadonlyMap<string, ReadonlySet<string>>
}

export const noPartition: Partition = { description: "healed", blocked: new Map() }

export const isCut = (partition: Partition, src: string, dest: string): boolean =>
  partition.blocked.get(dest)?.has(src) ?? false

/** Every node of each group stops hearing from every node outside its group. */
export const splitInto = (description: string, groups: ReadonlyArray<ReadonlyArray<string>>): Partition => {
  const blocked = new Map<string, ReadonlySet<string>>()
  for (const group of groups) {
    const outside = groups.filter((other) => other !== group).flat()
    for (const node of group) blocked.set(node, new Set(outside))
  }
  return { description, blocked }
}

const majority = (count: number) => Math.floor(count / 2) + 1

/** One node cut off from all the others. */
export const isolateOne = (nodes: ReadonlyArray<string>, chosen: string): Partition =>
  splitInto(`${chosen} isolated`, [[chosen], nodes.filter((node) => node !== chosen)])

/** A majority and a minority, in the order given (the first `majority` nodes win). */
export const majorityMinority = (ordered: ReadonlyArray<string>): Partition => {
  const big = ordered.slice(0, majority(ordered.length))
  const small = ordered.slice(majority(ordered.length))
  return splitInto(`[${big.join(" ")}] | [${small.join(" ")}]`, [big, small])
}

/**
 * Around a ring in the given order, each node hears only from itself and the
 * next nodes that make up a majority: every node sees a majority, and no two
 * see the same one.
 */
export const majoritiesRing = (ring: ReadonlyArray<string>): Partition => {
  const size = majority(ring.length)
  const blocked = new Map<string, ReadonlySet<string>>()
  ring.forEach((node, i) => {
    const heard = new Set(Array.from({ length: size }, (_, k) => ring[(i + k) % ring.length]!))
    blocked.set(node, new Set(ring.filter((other) => !heard.has(other))))
  })
  return { description: `majorities ring ${ring.join("→")}`, blocked }
}

/** The shapes that cut something for this many nodes (none for one node). */
const shapesFor = (count: number): ReadonlyArray<"isolate" | "halves" | "ring"> =>
  count < 2 ? [] : count === 2 ? ["isolate"] : ["isolate", "halves", "ring"]

/** A random partition of one of Maelstrom's shapes, or none when nothing can be cut. */
export const randomPartition = (nodes: ReadonlyArray<string>): Effect.Effect<Partition> =>
  Effect.gen(function*() {
    const shapes = shapesFor(nodes.length)
    if (shapes.length === 0) return { description: "nothing to cut with one node", blocked: new Map() }
    const shape = shapes[yield* Random.nextIntBetween(0, shapes.length)]!
    const shuffled = Chunk.toReadonlyArray(yield* Random.shuffle(nodes))
    switch (shape) {
      case "isolate":
        return isolateOne(nodes, shuffled[0]!)
      case "halves":
        return majorityMinority(shuffled)
      case "ring":
        return majoritiesRing(shuffled)
    }
  })
