import { evenMix, type OperationMix } from "../linkv/generator.js"
import { describeLatency, type LatencyDistribution } from "../linkv/latency.js"
import type { RaftConfigShape } from "../services/RaftConfig.js"
import type { BrokenVariant } from "./brokenVariants.js"
import { isDiskFault, storageFaultLimit } from "./diskFaults.js"
import type { FaultKind } from "./nemesis.js"
import type { SimApplication } from "./SimApplication.js"

/** Everything that shapes one simulated run besides its seed. */
export interface Scenario {
  readonly nodes: number
  readonly faults: ReadonlySet<FaultKind>
  /** How often the nemesis picks each kind, relative to the others (1 when not given); without it, every kind alike. */
  readonly faultWeights?: Readonly<Partial<Record<FaultKind, number>>>
  /** Simulated milliseconds between two fault actions, uniform in [min, max]. */
  readonly faultIntervalMs: { readonly min: number; readonly max: number }
  /** Simulated milliseconds of client operations under faults; then the faults end and the liveness phase follows. */
  readonly workloadMs: number
  readonly clients: number
  /** Client operations per simulated second, all clients together. */
  readonly rate: number
  readonly mix: OperationMix
  readonly clientTimeoutMs: number
  /** Of every node-to-node link without a slow-link fault. */
  readonly latency: LatencyDistribution
  /** Raft's timing and batching; the product's defaults for what is not given. */
  readonly config?: Partial<RaftConfigShape>
  /** The product's services unless a test swaps in a deliberately broken variant. */
  readonly broken?: BrokenVariant
  /** What the nodes run and the clients use: lin-kv unless given. */
  readonly application?: SimApplication
}

/** The fixed scenario of `npm run sim` without `--swarm`, and of the seed sweeps in CI. */
export const defaultScenario = (nodes: number, faults: ReadonlySet<FaultKind>): Scenario => ({
  nodes,
  faults,
  faultIntervalMs: { min: 100, max: 1_000 },
  workloadMs: 3_000,
  clients: 2 * nodes,
  rate: 25,
  mix: evenMix,
  clientTimeoutMs: 1_000,
  latency: { _tag: "Uniform", minMs: 1, maxMs: 10 },
  // Snapshots every few entries, sent in small chunks: compaction and InstallSnapshot run in every seed.
  config: { snapshotEvery: 10, snapshotChunkChars: 64 }
})

/** A scenario on one line, printed with its seed. */
export const describeScenario = (scenario: Scenario): string => {
  const weight = (kind: FaultKind) => {
    const w = scenario.faultWeights?.[kind]
    return w === undefined || w === 1 ? kind : `${kind}x${w}`
  }
  const faults = scenario.faults.size === 0
    ? "no faults"
    : `faults ${[...scenario.faults].map(weight).join(",")} every ${scenario.faultIntervalMs.min}..${scenario.faultIntervalMs.max} ms`
  const storage = [...scenario.faults].some(isDiskFault)
    ? [`storage faults on at most ${storageFaultLimit(scenario.nodes)} of ${scenario.nodes} nodes at once, storage lost on one at a time`]
    : []
  const { cas, read, write } = scenario.mix
  const config = Object.entries(scenario.config ?? {}).map(([name, value]) => `${name}=${value}`).join(" ")
  return [
    `${scenario.nodes} nodes`,
    `${scenario.workloadMs} ms of workload`,
    `${scenario.clients} clients at ${scenario.rate}/s (read:write:cas ${read}:${write}:${cas}, timeout ${scenario.clientTimeoutMs} ms)`,
    `latency ${describeLatency(scenario.latency)}`,
    faults,
    ...storage,
    ...(config === "" ? [] : [`raft ${config}`])
  ].join("; ")
}
