import { Data, Either } from "effect"
import type { MaelstromLatencyName } from "../linkv/latency.js"
import { faultKinds, type FaultKind } from "./nemesis.js"

/** Everything one `test` invocation asks for, already validated. */
export interface TestOptions {
  readonly workload: "lin-kv"
  /** Absolute path of the node binary, and the arguments it is started with. */
  readonly bin: string
  readonly binArgs: ReadonlyArray<string>
  readonly nodeIds: ReadonlyArray<string>
  readonly concurrency: number
  /** Target operations per second, across all clients. */
  readonly rate: number
  readonly timeLimitSeconds: number
  readonly latencyMs: number
  readonly latencyDistribution: MaelstromLatencyName
  /** `--availability`: the least fraction of operations that must be ok (`total` is 1). */
  readonly availability: number | undefined
  /** `--nemesis`: the fault kinds, each once, in the order given. */
  readonly nemesis: ReadonlyArray<FaultKind>
  readonly nemesisIntervalSeconds: number
  /** `--kill-signal`: how the kill nemesis stops a node. */
  readonly killSignal: KillSignal
  /** The node's data directory, relative to its working directory, which `--nemesis corrupt` damages; only with it. */
  readonly dataDirectory: string | undefined
  /** `--value-bytes`: values written are strings of this many bytes; undefined, the integers 0..4 as in Maelstrom. */
  readonly valueBytes: number | undefined
  readonly testCount: number
  readonly seed: number
  readonly logStderr: boolean
  /** Where `lin-kv/<timestamp>/` and `latest` are written. */
  readonly storeDir: string
}

/** `--kill-signal`: `kill` (SIGKILL, a crash) or `term` (SIGTERM, a graceful stop). */
export const killSignals = ["kill", "term"] as const
export type KillSignal = (typeof killSignals)[number]

/** Bad command-line input: the message says what to change. */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly message: string }> {}

/** `--concurrency`: an integer, or `Kn` for K clients per node (Maelstrom's notation). */
export const parseConcurrency = (text: string, nodeCount: number): number | undefined => {
  const perNode = /^(\d+)n$/.exec(text)
  const count = perNode ? Number(perNode[1]) * nodeCount : /^\d+$/.test(text) ? Number(text) : Number.NaN
  return Number.isInteger(count) && count > 0 ? count : undefined
}

/** `--node-count N` gives n0..n(N-1), as Maelstrom names them; `--nodes a,b,c` names them explicitly. */
export const parseNodeIds = (nodes: string | undefined, nodeCount: number): ReadonlyArray<string> | undefined => {
  if (nodes === undefined) return Array.from({ length: nodeCount }, (_, i) => `n${i}`)
  const ids = nodes.split(",").map((id) => id.trim()).filter((id) => id !== "")
  return ids.length > 0 && new Set(ids).size === ids.length ? ids : undefined
}

const isFaultKind = (name: string): name is FaultKind => (faultKinds as ReadonlyArray<string>).includes(name)

/** `--nemesis kill,pause,partition`: fault names separated by commas (as Maelstrom and Jepsen take them), any combination. */
export const parseNemesis = (text: string): Either.Either<ReadonlyArray<FaultKind>, UsageError> => {
  const names = text.split(",").map((name) => name.trim())
  const unknown = names.filter((name) => !isFaultKind(name))
  return unknown.length > 0
    ? Either.left(
      new UsageError({
        message: `--nemesis ${JSON.stringify(text)}: unknown fault ${unknown.map((name) => JSON.stringify(name)).join(", ")}; ` +
          `the faults are ${faultKinds.join(", ")}, in any combination separated by commas`
      })
    )
    : Either.right([...new Set(names.filter(isFaultKind))])
}
