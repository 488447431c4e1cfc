import { type BrokenVariantName, brokenVariants } from "./brokenVariants.js"
import type { FaultKind } from "./nemesis.js"
import { defaultScenario, type Scenario } from "./scenario.js"
import { swarmScenario } from "./swarm.js"

/**
 * Which scenario every seed of a run gets, as plain data (what the command
 * line chose), so that worker threads can rebuild each seed's scenario
 * exactly as the main thread would.
 */
export interface ScenarioSpec {
  /** Each seed draws its own scenario (sim/swarm.ts); otherwise the fixed one. */
  readonly swarm: boolean
  readonly nodes?: number
  readonly faults: ReadonlyArray<FaultKind>
  readonly workloadMs?: number
  readonly broken?: BrokenVariantName
}

/** The scenario of each seed under `spec`. */
export const scenarioOfSpec = (spec: ScenarioSpec) => (seed: number): Scenario => {
  const faults = new Set(spec.faults)
  const { nodes, workloadMs } = spec
  const scenario = spec.swarm
    ? swarmScenario(seed, { faults, ...(nodes === undefined ? {} : { nodes }), ...(workloadMs === undefined ? {} : { workloadMs }) })
    : { ...defaultScenario(nodes ?? 3, faults), ...(workloadMs === undefined ? {} : { workloadMs }) }
  return spec.broken === undefined ? scenario : { ...scenario, broken: brokenVariants[spec.broken] }
}
