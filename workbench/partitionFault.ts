import { Effect, Option } from "effect"
import { noPartition, randomPartition } from "../linkv/partitionShapes.js"
import type { Fault } from "./nemesis.js"
import type { Router } from "./router.js"

/** `--nemesis partition`: one of Maelstrom's partition shapes over the nodes in a random order, healed whole. */
export const partitionFault = (router: Router, nodeIds: ReadonlyArray<string>): Fault => ({
  kind: "partition",
  inject: Effect.gen(function*() {
    const partition = yield* randomPartition(nodeIds)
    if (Option.isNone(partition)) return Option.none()
    yield* router.setPartition(partition.value)
    return Option.some({
      description: partition.value.description,
      nodes: nodeIds.filter((node) => (partition.value.blocked.get(node)?.size ?? 0) > 0),
      heal: Effect.as(router.setPartition(noPartition), Option.none())
    })
  })
})
