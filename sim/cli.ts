import { Command, Options } from "@effect/cli"
import { availableParallelism } from "node:os"
import { Console, Data, Effect, Either, Option, Stream } from "effect"
import { type BrokenVariantName, brokenVariants } from "./brokenVariants.js"
import { losesStorage } from "./diskFaults.js"
import { type PressureScenarioName, pressureScenarios } from "./pressureScenarios.js"
import { defaultFaultKinds, type FaultKind, optInFaultKinds } from "./nemesis.js"
import { type SeedOutcome, seedOutcomes } from "./parallelSeeds.js"
import { runSeed } from "./runSeed.js"
import { describeScenario, type Scenario } from "./scenario.js"
import { type ScenarioSpec, scenarioOfSpec } from "./scenarioSpec.js"
import { parseShard, type SeedRange, shardOfRange } from "./seedShard.js"
import { formatTrace, linesAround, Trace } from "./Trace.js"
import { readModes } from "../services/RaftConfig.js"
import { clockDriftBound } from "../src/raft/leaseRules.js"

/** Some seed broke an invariant: the process exits non-zero. */
export class SeedsFailed extends Data.TaggedError("SeedsFailed")<{ readonly seeds: ReadonlyArray<number> }> {}

export class UsageError extends Data.TaggedError("UsageError")<{ readonly message: string }> {}

const options = {
  seeds: Options.integer("seeds").pipe(Options.withDefault(100), Options.withDescription("how many seeds to run")),
  firstSeed: Options.integer("first-seed").pipe(Options.withDefault(1), Options.withDescription("the first seed of the range")),
  seed: Options.integer("seed").pipe(Options.optional, Options.withDescription("replay this one seed and print its trace")),
  nodes: Options.integer("nodes").pipe(Options.optional,
    Options.withDescription("cluster size (default 3; with --swarm, drawn from 1 to 7)")),
  swarm: Options.boolean("swarm").pipe(Options.withDescription(
    "each seed draws its own scenario: cluster size, Raft timing and batching, latency, rate, operation mix, duration, faults and how often"
  )),
  scenario: Options.choice("scenario", Object.keys(pressureScenarios) as Array<PressureScenarioName>).pipe(
    Options.optional,
    Options.withDescription(
      "a named pressure scenario instead of the fixed one (sim/pressureScenarios.ts): read-churn, divergent-snapshot; --nodes, --faults and --duration override its own"
    )
  ),
  faults: Options.text("faults").pipe(
    Options.optional,
    Options.withDescription(
      `comma-separated faults from ${defaultFaultKinds.join(", ")} (the default: all of them, or a --scenario's own), and ${
        optInFaultKinds.join(", ")
      } (only when named: leader-churn cuts each new leader off after a short reign; late-answers does too, while what travels to it still arrives; diverge leaves a follower with entries the next leader never had, then brings it back to that leader; lost-suffix loses the fsynced end of a node's log, cut anywhere, which the node cannot detect at a record boundary; pause freezes a node, the leader half the time, for up to three election timeouts, as SIGSTOP and SIGCONT do; drift runs each node's clock at a rate of its own within the ${
        clockDriftBound * 100
      }% the lease assumes); "none" for none (with --swarm, the faults each seed draws from)`
    )
  ),
  duration: Options.float("duration").pipe(Options.optional,
    Options.withDescription("simulated seconds of client operations per seed (default 3; with --swarm, drawn from 1 to 5)")),
  broken: Options.choice("broken", Object.keys(brokenVariants) as Array<BrokenVariantName>).pipe(
    Options.optional,
    Options.withDescription("run a deliberately broken node instead of the product, to see the simulator catch it")
  ),
  readMode: Options.choice("read-mode", readModes).pipe(
    Options.optional,
    Options.withDescription(
      "how leaders confirm reads, as the node's --read-mode: index (ReadIndex, the default) or lease (with pause and drift in --faults, the lease's assumptions are put to the test)"
    )
  ),
  traceLines: Options.integer("trace-lines").pipe(Options.withDefault(80), Options.withDescription("trace lines printed before a failure")),
  fullTrace: Options.boolean("full-trace").pipe(Options.withDescription("with --seed: print the whole trace")),
  keepGoing: Options.boolean("keep-going").pipe(Options.withDescription("go on after a failing seed and list them all at the end")),
  workers: Options.integer("workers").pipe(
    Options.optional,
    Options.withDescription(
      "worker threads running seeds at once (default: the machine's available parallelism); results do not depend on it"
    )
  ),
  shard: Options.text("shard").pipe(
    Options.optional,
    Options.withDescription("I/N: run only the I-th of N slices of the seed range, to spread a sweep over N machines")
  )
}

type Parsed = Command.Command.ParseConfig<typeof options>

const parseFaults = (text: string): Effect.Effect<ReadonlySet<FaultKind>, UsageError> => {
  if (text.trim() === "none") return Effect.succeed(new Set())
  const names = text.split(",").map((name) => name.trim())
  const known: ReadonlyArray<string> = [...defaultFaultKinds, ...optInFaultKinds]
  const unknown = names.filter((name) => !known.includes(name))
  return unknown.length > 0
    ? Effect.fail(new UsageError({ message: `unknown fault ${unknown.join(", ")}; known: ${known.join(", ")}` }))
    : Effect.succeed(new Set(names as Array<FaultKind>))
}

/** Which scenario each seed runs, checked: the fixed one, or with --swarm the seed's own draw. */
const scenarioSpec = (parsed: Parsed) =>
  Effect.gen(function*() {
    const nodes = Option.getOrUndefined(parsed.nodes)
    const duration = Option.getOrUndefined(parsed.duration)
    if (nodes !== undefined && nodes < 1) return yield* new UsageError({ message: "--nodes must be at least 1" })
    if (duration !== undefined && !(duration > 0)) return yield* new UsageError({ message: "--duration must be positive" })
    if (parsed.swarm && Option.isSome(parsed.scenario)) {
      return yield* new UsageError({ message: "--scenario names a scenario every seed runs: it does not go with --swarm" })
    }
    const faults: ReadonlySet<FaultKind> | undefined = yield* Option.match(parsed.faults, {
      onNone: () => Effect.succeed(Option.isSome(parsed.scenario) ? undefined : new Set(defaultFaultKinds)),
      onSome: parseFaults
    })
    const storageLoss = faults === undefined ? [] : [...faults].filter(losesStorage)
    if (!parsed.swarm && faults?.has("membership") === true && storageLoss.length > 0) {
      return yield* new UsageError({
        message: `membership cannot run with ${storageLoss.join(", ")}: Raft survives lost storage on a minority of the voters ` +
          "only, and membership changes shrink the voters (with --swarm, a seed that draws membership draws none of these)"
      })
    }
    const spec: ScenarioSpec = {
      swarm: parsed.swarm,
      ...(faults === undefined ? {} : { faults: [...faults] }),
      ...Option.match(parsed.scenario, { onNone: () => ({}), onSome: (scenario) => ({ scenario }) }),
      ...(nodes === undefined ? {} : { nodes }),
      ...(duration === undefined ? {} : { workloadMs: Math.round(duration * 1000) }),
      ...Option.match(parsed.broken, { onNone: () => ({}), onSome: (broken) => ({ broken }) }),
      ...Option.match(parsed.readMode, { onNone: () => ({}), onSome: (readMode) => ({ readMode }) })
    }
    return spec
  })

/** The seeds a sweep runs (its shard of the range) and on how many worker threads, checked. */
const sweepPlan = (parsed: Parsed) =>
  Effect.gen(function*() {
    if (parsed.seeds < 1) return yield* new UsageError({ message: "--seeds must be at least 1" })
    const range: SeedRange = { first: parsed.firstSeed, count: parsed.seeds }
    const shard = yield* Option.match(parsed.shard, {
      onNone: () => Effect.succeed(range),
      onSome: (text) =>
        Either.match(parseShard(text), {
          onLeft: (message) => new UsageError({ message }),
          onRight: (shard) =>
            shard.of > range.count
              ? new UsageError({ message: `--shard ${text}: more slices than the ${range.count} seeds of the range` })
              : Effect.succeed(shardOfRange(range, shard))
        })
    })
    const workers = Option.getOrElse(parsed.workers, availableParallelism)
    if (workers < 1) return yield* new UsageError({ message: `--workers must be at least 1, not ${workers}` })
    return { range, shard, workers: Math.min(workers, shard.count) }
  })

/** The faults a run offers, as named on the command line or by default. */
const faultsText = (parsed: Parsed) =>
  Option.getOrElse(
    parsed.faults,
    () =>
      Option.match(parsed.scenario, { onNone: () => defaultFaultKinds.join(","),
        onSome: (name) => [...pressureScenarios[name].faults].join(",") })
  )

/** The command line that replays a seed exactly. */
const replayCommand = (parsed: Parsed, seed: number) =>
  [
    `npm run sim --${parsed.swarm ? " --swarm" : ""} --seed ${seed}`,
    ...Option.toArray(Option.map(parsed.scenario, (name) => `--scenario ${name}`)),
    ...Option.toArray(Option.map(parsed.nodes, (nodes) => `--nodes ${nodes}`)),
    ...(Option.isNone(parsed.scenario) || Option.isSome(parsed.faults) ? [`--faults ${faultsText(parsed)}`] : []),
    ...Option.toArray(Option.map(parsed.duration, (duration) => `--duration ${duration}`)),
    ...Option.toArray(Option.map(parsed.broken, (name) => `--broken ${name}`)),
    ...Option.toArray(Option.map(parsed.readMode, (mode) => `--read-mode ${mode}`))
  ].join(" ")

/** A seed's result, with its scenario when each seed draws its own. */
const describeResult = (parsed: Parsed, scenario: Scenario, result: SeedOutcome) => {
  const { fail, info, ok } = result.operations
  const outcome = result.violation === null
    ? "ok"
    : `FAILED: ${result.violation.invariant} at ${result.violation.atMs} ms: ${result.violation.detail}`
  const recovered = result.recoveredInMs === null
    ? ""
    : `, recovered in ${result.recoveredInMs} ms after the faults, of ${result.livenessBoundMs} ms allowed`
  const line =
    `seed ${result.seed}: ${outcome} (${result.simulatedMs} simulated ms; operations ok ${ok}, fail ${fail}, info ${info}${recovered})`
  return parsed.swarm ? `${line}\n  scenario: ${describeScenario(scenario)}` : line
}

/** Runs a seed again with its whole trace kept, and prints the events around its failure (or all of them). */
const printTrace = (parsed: Parsed, scenario: Scenario, seed: number, whole: boolean) =>
  Effect.gen(function*() {
    const trace = new Trace(Infinity)
    const result = runSeed(seed, scenario, trace)
    const lines = trace.lines()
    const shown = whole || result.violation === null
      ? lines
      : linesAround(lines, result.violation.atMs, parsed.traceLines, 5)
    yield* Console.log(formatTrace(shown))
    return result
  })

const replay = (parsed: Parsed, scenarioOf: (seed: number) => Scenario, seed: number) =>
  Effect.gen(function*() {
    const scenario = scenarioOf(seed)
    const result = yield* printTrace(parsed, scenario, seed, parsed.fullTrace || parsed.traceLines <= 0)
    yield* Console.log(describeResult(parsed, scenario, result))
    if (result.violation !== null) return yield* new SeedsFailed({ seeds: [seed] })
  })

const sweep = (parsed: Parsed, spec: ScenarioSpec) =>
  Effect.gen(function*() {
    const { range, shard, workers } = yield* sweepPlan(parsed)
    const scenarioOf = scenarioOfSpec(spec)
    const failed: Array<number> = []
    /** The largest share of its liveness bound that a seed's recovery took. */
    let slowestRecovery = { afterMs: 0, boundMs: 0 }
    let done = 0
    const startedMs = performance.now()
    const nodes = Option.match(parsed.nodes, {
      onNone: () =>
        parsed.swarm ? "1 to 7"
          : String(Option.match(parsed.scenario, { onNone: () => 3, onSome: (name) => pressureScenarios[name].nodes })),
      onSome: String
    })
    const slice = Option.match(parsed.shard, {
      onNone: () => "",
      onSome: (text) => ` (shard ${text} of ${range.count} seeds from ${range.first})`
    })
    yield* Console.error(
      `running ${shard.count} ${
        parsed.swarm ? "swarm " : ""
      }seeds from ${shard.first}${slice} on ${workers} worker threads: ${nodes} nodes, faults ${faultsText(parsed)}`
    )
    yield* seedOutcomes(spec, shard, workers).pipe(
      Stream.takeUntil((result) => result.violation !== null && !parsed.keepGoing),
      Stream.runForEach((result) =>
        Effect.gen(function*() {
          const afterMs = result.recoveredInMs ?? 0
          if (afterMs * slowestRecovery.boundMs >= slowestRecovery.afterMs * result.livenessBoundMs) {
            slowestRecovery = { afterMs, boundMs: result.livenessBoundMs }
          }
          if (result.violation !== null) {
            const scenario = scenarioOf(result.seed)
            failed.push(result.seed)
            yield* Console.log(`\n${describeResult(parsed, scenario, result)}\nThe events before it (simulated ms):`)
            yield* printTrace(parsed, scenario, result.seed, false)
            yield* Console.log(`Replay: ${replayCommand(parsed, result.seed)}\n`)
          }
          done++
          if (done % 100 === 0) {
            const seconds = (performance.now() - startedMs) / 1000
            yield* Console.error(
              `${done} of ${shard.count} seeds, ${failed.length} failed, ${(done / seconds).toFixed(1)} seeds/s (${
                (done / seconds / workers).toFixed(1)
              } per worker)`
            )
          }
        })
      )
    )
    const seconds = ((performance.now() - startedMs) / 1000).toFixed(1)
    yield* Console.log(
      failed.length === 0
        ? `all ${shard.count} seeds passed in ${seconds} s (slowest recovery after the faults: ${slowestRecovery.afterMs} ms of ${slowestRecovery.boundMs} ms allowed)`
        : `failing seeds: ${failed.join(" ")} (after ${seconds} s)`
    )
    if (failed.length > 0) return yield* new SeedsFailed({ seeds: failed })
  })

export const simCommand = Command.make("sim", options, (parsed) =>
  Effect.gen(function*() {
    const spec = yield* scenarioSpec(parsed)
    return yield* Option.match(parsed.seed, {
      onNone: () => sweep(parsed, spec),
      onSome: (seed) =>
        Option.isSome(parsed.shard) || Option.isSome(parsed.workers)
          ? new UsageError({ message: "--shard and --workers divide a sweep; --seed replays one seed" })
          : replay(parsed, scenarioOfSpec(spec), seed)
    })
  })).pipe(Command.withDescription(
    "Runs a Raft cluster with simulated clients and faults on simulated time, seed after seed on worker threads, checking Raft's invariants and linearizability; a failing seed replays exactly with --seed."
  ))

export const runCli = Command.run(simCommand, { name: "sim", version: "0.1.0" })
