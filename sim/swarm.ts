import { Effect, Random } from "effect"
import { clientTimeoutMs } from "../linkv/clientThread.js"
import type { LatencyDistribution } from "../linkv/latency.js"
import { diskFaultKinds, losesStorage, undetectableDiskFaultKinds } from "./diskFaults.js"
import { operatorFaultKinds } from "./membershipFaults.js"
import { clockFaultKinds } from "./NodeClock.js"
import { type FaultKind, faultKinds } from "./nemesis.js"
import type { Scenario } from "./scenario.js"
import { randomPick } from "../foundation/randomPick.js"

/** What a swarm run fixes for every seed; everything else each seed draws. */
export interface SwarmOptions {
  /** The cluster size; drawn from 1 to 7 when not given. */
  readonly nodes?: number
  /** The faults a seed may draw from (each seed draws its own subset, possibly empty). */
  readonly faults: ReadonlySet<FaultKind>
  /** Simulated milliseconds of workload; drawn from 1 to 5 s when not given. */
  readonly workloadMs?: number
}

const between = (min: number, max: number) => Random.nextIntBetween(min, max + 1)
const oneOf = randomPick

const drawLatency: Effect.Effect<{ readonly latency: LatencyDistribution; readonly meanMs: number }> = Effect.gen(function*() {
  const meanMs = yield* between(1, 30)
  switch (yield* Random.nextIntBetween(0, 3)) {
    case 0:
      return { latency: { _tag: "Constant", ms: meanMs }, meanMs }
    case 1:
      return { latency: { _tag: "Uniform", minMs: 0, maxMs: 2 * meanMs }, meanMs }
    default:
      return { latency: { _tag: "Exponential", meanMs }, meanMs }
  }
})

/** Relative rates a storage fault may get; 0 leaves it out. */
const diskFaultRates = [0, 0.25, 1, 3]

/**
 * Each storage fault offered gets a rate of its own, zero included, beside
 * the other kinds' rate of 1; nothing is drawn when none is offered.
 */
const drawDiskFaults = (offered: ReadonlySet<FaultKind>, drawn: ReadonlyArray<FaultKind>) =>
  Effect.gen(function*() {
    const weights: Partial<Record<FaultKind, number>> = {}
    for (const kind of [...diskFaultKinds, ...undetectableDiskFaultKinds]) {
      if (offered.has(kind)) weights[kind] = yield* oneOf(diskFaultRates)
    }
    const disk = Object.entries(weights).filter(([, rate]) => rate! > 0).map(([kind]) => kind as FaultKind)
    if (Object.keys(weights).length === 0) return {}
    return { faults: new Set([...drawn, ...disk]), faultWeights: weights }
  })

/**
 * An operator's faults, drawn after the rest so that seeds offering none
 * draw what they did before these existed. A seed that draws membership
 * changes loses its storage-losing faults (diskFaults.ts, `losesStorage`).
 */
const withOperatorFaults = (scenario: Scenario, offered: ReadonlySet<FaultKind>) =>
  Effect.gen(function*() {
    const drawn: Array<FaultKind> = []
    for (const kind of operatorFaultKinds) if (offered.has(kind) && (yield* Random.nextBoolean)) drawn.push(kind)
    if (drawn.length === 0) return scenario
    const keeps = (kind: string) => !(drawn.includes("membership") && losesStorage(kind))
    const weights = scenario.faultWeights === undefined
      ? {}
      : { faultWeights: Object.fromEntries(Object.entries(scenario.faultWeights).filter(([kind]) => keeps(kind))) }
    return { ...scenario, ...weights, faults: new Set([...scenario.faults, ...drawn].filter(keeps)) } satisfies Scenario
  })

/** Pauses and clock drift, drawn after everything else, so that seeds offering neither draw what they did before these existed. */
const withClockFaults = (scenario: Scenario, offered: ReadonlySet<FaultKind>) =>
  Effect.gen(function*() {
    const drawn: Array<FaultKind> = []
    for (const kind of clockFaultKinds) if (offered.has(kind) && (yield* Random.nextBoolean)) drawn.push(kind)
    return drawn.length === 0 ? scenario : { ...scenario, faults: new Set([...scenario.faults, ...drawn]) } satisfies Scenario
  })

/**
 * One swarm seed's scenario (TigerBeetle's VOPR draws its options per seed
 * the same way): cluster size, Raft timing and batching (tiny batches and
 * windows included), latency distribution, request rate, operation mix,
 * duration, which faults and how often. Drawn from a Random of its own,
 * seeded with the seed alone, so the seed names the scenario exactly and the
 * run itself still starts from the same seed. Timeouts are drawn relative to
 * the latency (an election timeout of at least ten mean latencies, an RPC
 * timeout of at least five), so that a cluster without faults can elect a
 * leader at all: the liveness phase judges Raft, not an impossible setting.
 */
export const swarmScenario = (seed: number, options: SwarmOptions): Scenario =>
  Effect.runSync(
    Effect.gen(function*() {
      const nodes = options.nodes ?? (yield* between(1, 7))
      const { latency, meanMs } = yield* drawLatency
      const heartbeatMs = yield* between(5, 100)
      const electionTimeoutMinMs = yield* between(Math.max(3 * heartbeatMs, 10 * meanMs, 100), 1_000)
      const electionTimeoutMaxMs = electionTimeoutMinMs + (yield* between(Math.ceil(electionTimeoutMinMs / 4), electionTimeoutMinMs))
      const faults: Array<FaultKind> = []
      // A kind not offered draws nothing: runs offering the default kinds draw as they did before opt-in kinds existed.
      for (const kind of [...faultKinds, "leader-churn", "late-answers", "diverge"] as const) {
        if (options.faults.has(kind) && (yield* Random.nextBoolean)) faults.push(kind)
      }
      const minIntervalMs = yield* between(20, 500)
      const scenario = {
        nodes,
        faults: new Set(faults),
        faultIntervalMs: { min: minIntervalMs, max: minIntervalMs + (yield* between(0, 2_000)) },
        workloadMs: options.workloadMs ?? (yield* between(1_000, 5_000)),
        clients: yield* between(1, 3 * nodes),
        rate: yield* between(5, 200),
        mix: { read: yield* between(0, 4), write: yield* between(1, 4), cas: yield* between(0, 4) },
        clientTimeoutMs: clientTimeoutMs(meanMs),
        latency,
        config: {
          heartbeatMs,
          electionTimeoutMinMs,
          electionTimeoutMaxMs,
          rpcTimeoutMs: yield* between(Math.max(5 * meanMs, 50), electionTimeoutMinMs),
          requestTimeoutMs: yield* between(300, 3_000),
          maxEntriesPerMessage: yield* oneOf([1, 2, 3, 8, 64, 512]),
          maxInflightPerPeer: yield* oneOf([1, 2, 4, 16]),
          snapshotEvery: yield* oneOf([1, 3, 10, 50, 10_000]),
          snapshotChunkChars: yield* oneOf([8, 16, 256, 65_536]),
          // Drawn last, so the scenario's other parameters stay what they were for every seed.
          snapshotBytes: yield* oneOf([200, 2_000, 8 * 1024 * 1024])
        },
        // Drawn after everything else, for the same reason: each storage fault's rate, none included.
        ...(yield* drawDiskFaults(options.faults, faults))
      } satisfies Scenario
      return yield* withClockFaults(yield* withOperatorFaults(scenario, options.faults), options.faults)
    }).pipe(Effect.withRandom(Random.make(`swarm ${seed}`)))
  )
