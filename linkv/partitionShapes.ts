import { Chunk, Effect, Option, Random } from "effect"

/**
 * A network partition as a grudge: for each node, the nodes whose messages it
 * no longer receives. The split shapes block both directions; the majorities
 * ring may block only one. Only node<->node links are ever cut, never clients.
 */
export interface Partition {
  readonly description: string
  readonly blocked: ReadonlyMap<string, ReadonlySet<string>>
}

export const noPartition: Partition = { description: "healed", blocked: new Map() }

export const isCut = (partition: Partition, src: string, dest: string): boolean => partition.blocked.get(dest)?.has(src) ?? false

/** The one-way links a partition cuts, as [src, dest], in the order of `nodes`. */
export const cutLinks = (partition: Partition, nodes: ReadonlyArray<string>): Array<readonly [string, string]> =>
  nodes.flatMap((src) => nodes.filter((dest) => dest !== src && isCut(partition, src, dest)).map((dest) => [src, dest] as const))

const majority = (count: number) => Math.floor(count / 2) + 1

/** Jepsen's minority third: the largest count strictly under a third of the nodes. */
const minorityThird = (count: number) => Math.floor((count - 1) / 3)

const show = (group: ReadonlyArray<string>) => `[${group.join(" ")}]`

/** Every node of each side stops hearing from every node of the other. */
const split = (name: string, ordered: ReadonlyArray<string>, firstSize: number): Partition => {
  const first = ordered.slice(0, firstSize)
  const second = ordered.slice(firstSize)
  const blocked = new Map<string, ReadonlySet<string>>()
  for (const node of first) blocked.set(node, new Set(second))
  for (const node of second) blocked.set(node, new Set(first))
  return { description: `${name} ${show(first)} | ${show(second)}`, blocked }
}

/**
 * Maelstrom's partition shapes (Jepsen's partition targets), each built from
 * the nodes in a given order (the nemesis shuffles them first):
 * - isolate one: the first node alone;
 * - minority third: the first ⌊(n-1)/3⌋ nodes apart from the rest;
 * - halves: the first ⌊n/2⌋ nodes apart from the rest (a minority and a
 *   majority, or two equal halves for an even n);
 * - majorities ring: the nodes in a ring, each hearing only from the majority
 *   of consecutive nodes centred on itself, so every node sees a majority and
 *   no two see the same one. With an even majority (3, 6 or 7 nodes) the
 *   window reaches one node further on one side, so some links are cut one way.
 */
export const partitionShapes = {
  "isolate one": (ordered: ReadonlyArray<string>) => split("isolate one", ordered, 1),
  "minority third": (ordered: ReadonlyArray<string>) => split("minority third", ordered, minorityThird(ordered.length)),
  "halves": (ordered: ReadonlyArray<string>) => split("halves", ordered, Math.floor(ordered.length / 2)),
  "majorities ring": (ring: ReadonlyArray<string>): Partition => {
    const n = ring.length
    const size = majority(n)
    const before = Math.floor(size / 2)
    const blocked = new Map<string, ReadonlySet<string>>()
    ring.forEach((node, i) => {
      const heard = new Set(Array.from({ length: size }, (_, k) => ring[(i - before + k + n) % n]!))
      blocked.set(node, new Set(ring.filter((other) => !heard.has(other))))
    })
    return { description: `majorities ring ${ring.join(" ")}`, blocked }
  }
} as const

export type PartitionShape = keyof typeof partitionShapes

/**
 * The shapes offered on a cluster of `count` nodes: only those that cut
 * something, and each only where it differs from the ones before it (halves
 * of 2 or 3 nodes, and a minority third of 4 to 6, are "isolate one"; a
 * minority third of 3 or fewer and a ring of 2 or fewer cut nothing).
 */
export const shapesFor = (count: number): ReadonlyArray<PartitionShape> => [
  ...(count >= 2 ? ["isolate one" as const] : []),
  ...(minorityThird(count) >= 2 ? ["minority third" as const] : []),
  ...(Math.floor(count / 2) >= 2 ? ["halves" as const] : []),
  ...(majority(count) < count ? ["majorities ring" as const] : [])
]

/** A partition of this shape over the nodes in a random order. */
export const shuffledPartition = (shape: PartitionShape, nodes: ReadonlyArray<string>): Effect.Effect<Partition> =>
  Effect.map(Random.shuffle(nodes), (ordered) => partitionShapes[shape](Chunk.toReadonlyArray(ordered)))

/** A random partition of one of the shapes offered for these nodes; none when nothing can be cut (one node). */
export const randomPartition = (nodes: ReadonlyArray<string>): Effect.Effect<Option.Option<Partition>> =>
  Effect.gen(function*() {
    const shapes = shapesFor(nodes.length)
    if (shapes.length === 0) return Option.none()
    const shape = shapes[yield* Random.nextIntBetween(0, shapes.length)]!
    return Option.some(yield* shuffledPartition(shape, nodes))
  })
