import type { FileSystem, Path } from "@effect/platform"
import { Chunk, Effect, Either, Option, Random } from "effect"
import type { Cluster } from "./cluster.js"
import { corruptFiles, type CorruptionError, corruptionKinds, describeCorruption, type FileCorruption } from "./fileCorruption.js"
import type { Fault } from "./nemesis.js"
import { restartKilled } from "./processFaults.js"

type NodeControl = Pick<Cluster, "runningNodes" | "kill" | "restart" | "nodeDirectory">

/**
 * The most nodes one strike damages: a minority, so that a majority keeps
 * everything it acknowledged, as Raft (and any quorum system) promises only then.
 */
export const mostCorruptedAtOnce = (nodeCount: number): number => Math.floor((nodeCount - 1) / 2)

/** One struck node: what was done to its files, or why it could not be. */
interface Strike {
  readonly node: string
  readonly result: Either.Either<FileCorruption, CorruptionError>
}

/**
 * `--nemesis corrupt`: kills a random minority of the running nodes (one to
 * `mostCorruptedAtOnce`), damages each one's data directory in a way drawn at
 * random for it (`corruptionKinds`), and starts them again at the heal. The
 * fault is in force from the kill to the restart; the next strike comes only
 * after it healed, so at most a minority has damaged storage at a time (until
 * it is repaired, which only the node can tell). A damage that could not be
 * done is the fault's problem: the test is then not valid.
 */
export const corruptFault = (
  cluster: NodeControl,
  options: { readonly nodeCount: number; readonly dataDirectory: string }
): Effect.Effect<Fault, never, FileSystem.FileSystem | Path.Path> =>
  Effect.map(Effect.context<FileSystem.FileSystem | Path.Path>(), (context) => ({
    kind: "corrupt",
    inject: Effect.gen(function*() {
      const running = yield* cluster.runningNodes
      const most = Math.min(mostCorruptedAtOnce(options.nodeCount), running.length)
      if (most === 0) return Option.none()
      const count = yield* Random.nextIntBetween(1, most + 1)
      const chosen = Chunk.toReadonlyArray(yield* Random.shuffle(running)).slice(0, count)
      const strikes: Array<Strike> = []
      for (const node of chosen) {
        const kind = corruptionKinds[yield* Random.nextIntBetween(0, corruptionKinds.length)]!
        if (!(yield* cluster.kill(node))) continue
        const result = yield* Effect.either(
          corruptFiles({ node, kind, workDir: cluster.nodeDirectory(node), directory: options.dataDirectory })
        )
        strikes.push({ node, result })
      }
      if (strikes.length === 0) return Option.none()
      const failures = strikes.flatMap(({ result }) => Either.isLeft(result) ? [result.left.message] : [])
      return Option.some({
        description: strikes.map(({ node, result }) =>
          Either.match(result, { onLeft: (error) => `${node} killed, ${error.message}`, onRight: describeCorruption })
        ).join("; "),
        nodes: strikes.map(({ node }) => node),
        corruptions: strikes.flatMap(({ result }) => Either.isRight(result) ? [result.right] : []),
        heal: Effect.gen(function*() {
          const restarts = yield* Effect.forEach(strikes, ({ node }) => restartKilled(cluster, node, "killed and its files damaged"), {
            concurrency: "unbounded"
          })
          const problems = [...failures, ...restarts.flatMap(Option.toArray)]
          return problems.length === 0 ? Option.none() : Option.some(problems.join("; "))
        })
      })
    }).pipe(Effect.provide(context))
  }))
