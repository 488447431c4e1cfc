import { type BrokenVariantName, brokenVariants } from "./brokenVariants.js"
import { defaultFaultKinds, type FaultKind } from "./nemesis.js"
import { type PressureScenarioName, pressureScenarios } from "./pressureScenarios.js"
import { defaultScenario, type Scenario } from "./scenario.js"
import { swarmScenario } from "./swarm.js"
import type { ReadMode } from "../services/RaftConfig.js"

/**
 * Which scenario every seed of a run gets, as plain data (what the command
 * line chose), so that worker threads can rebuild each seed's scenario
 * exactly as the main thread would.
 */
export interface ScenarioSpec {
  /** Each seed draws its own scenario (sim/swarm.ts); otherwise the fixed one. */
  readonly swarm: boolean
  /** A named pressure scenario in place of the fixed one, its nodes, faults and duration overridden where given. */
  readonly scenario?: PressureScenarioName
  readonly nodes?: number
  /** The default kinds, or the named scenario's own, when not given. */
  readonly faults?: ReadonlyArray<FaultKind>
  readonly workloadMs?: number
  readonly broken?: BrokenVariantName
  /** How leaders confirm reads (`--read-mode`), in every seed's Raft configuration; the scenario's own (the product's default) when not given. */
  readonly readMode?: ReadMode
}

/** The scenario of each seed under `spec`. */
export const scenarioOfSpec = (spec: ScenarioSpec) => (seed: number): Scenario => {
  const named = spec.scenario === undefined ? undefined : pressureScenarios[spec.scenario]
  const faults = new Set(spec.faults ?? named?.faults ?? defaultFaultKinds)
  const { nodes, workloadMs } = spec
  const fixed = named === undefined ? defaultScenario(nodes ?? 3, faults) : { ...named, faults, ...(nodes === undefined ? {} : { nodes }) }
  const scenario = spec.swarm
    ? swarmScenario(seed, { faults, ...(nodes === undefined ? {} : { nodes }), ...(workloadMs === undefined ? {} : { workloadMs }) })
    : { ...fixed, ...(workloadMs === undefined ? {} : { workloadMs }) }
  const reading = spec.readMode === undefined ? scenario : { ...scenario, config: { ...scenario.config, readMode: spec.readMode } }
  return spec.broken === undefined ? reading : { ...reading, broken: brokenVariants[spec.broken] }
}
