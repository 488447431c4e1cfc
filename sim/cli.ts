import { Command, Options } from "@effect/cli"
import { Console, Data, Effect, Option } from "effect"
import { type BrokenVariantName, brokenVariants } from "./brokenVariants.js"
import { type FaultKind, faultKinds } from "./nemesis.js"
import { runSeed, type SeedResult } from "./runSeed.js"
import { defaultScenario, describeScenario, type Scenario } from "./scenario.js"
import { swarmScenario } from "./swarm.js"
import { formatTrace, linesAround, Trace } from "./Trace.js"

/** Some seed broke an invariant: the process exits non-zero. */
export class SeedsFailed extends Data.TaggedError("SeedsFailed")<{ readonly seeds: ReadonlyArray<number> }> {}

export class UsageError extends Data.TaggedError("UsageError")<{ readonly message: string }> {}

const options = {
  seeds: Options.integer("seeds").pipe(Options.withDefault(100), Options.withDescription("how many seeds to run")),
  firstSeed: Options.integer("first-seed").pipe(Options.withDefault(1), Options.withDescription("the first seed of the range")),
  seed: Options.integer("seed").pipe(Options.optional, Options.withDescription("replay this one seed and print its trace")),
  nodes: Options.integer("nodes").pipe(Options.optional, Options.withDescription("cluster size (default 3; with --swarm, drawn from 1 to 7)")),
  swarm: Options.boolean("swarm").pipe(Options.withDescription(
    "each seed draws its own scenario: cluster size, Raft timing and batching, latency, rate, operation mix, duration, faults and how often"
  )),
  faults: Options.text("faults").pipe(
    Options.withDefault(faultKinds.join(",")),
    Options.withDescription(`comma-separated faults from ${faultKinds.join(", ")}; "none" for none (with --swarm, the faults each seed draws from)`)
  ),
  duration: Options.float("duration").pipe(Options.optional, Options.withDescription("simulated seconds of client operations per seed (default 3; with --swarm, drawn from 1 to 5)")),
  broken: Options.choice("broken", Object.keys(brokenVariants) as Array<BrokenVariantName>).pipe(
    Options.optional,
    Options.withDescription("run a deliberately broken node instead of the product, to see the simulator catch it")
  ),
  traceLines: Options.integer("trace-lines").pipe(Options.withDefault(80), Options.withDescription("trace lines printed before a failure")),
  fullTrace: Options.boolean("full-trace").pipe(Options.withDescription("with --seed: print the whole trace")),
  keepGoing: Options.boolean("keep-going").pipe(Options.withDescription("go on after a failing seed and list them all at the end"))
}

type Parsed = Command.Command.ParseConfig<typeof options>

const parseFaults = (text: string): Effect.Effect<ReadonlySet<FaultKind>, UsageError> => {
  if (text.trim() === "none") return Effect.succeed(new Set())
  const names = text.split(",").map((name) => name.trim())
  const unknown = names.filter((name) => !(faultKinds as ReadonlyArray<string>).includes(name))
  return unknown.length > 0
    ? Effect.fail(new UsageError({ message: `unknown fault ${unknown.join(", ")}; known: ${faultKinds.join(", ")}` }))
    : Effect.succeed(new Set(names as Array<FaultKind>))
}

/** The scenario of each seed: the fixed one, or with --swarm the seed's own draw. */
const scenarioMaker = (parsed: Parsed) =>
  Effect.gen(function*() {
    const nodes = Option.getOrUndefined(parsed.nodes)
    const duration = Option.getOrUndefined(parsed.duration)
    if (nodes !== undefined && nodes < 1) return yield* new UsageError({ message: "--nodes must be at least 1" })
    if (duration !== undefined && !(duration > 0)) return yield* new UsageError({ message: "--duration must be positive" })
    const faults = yield* parseFaults(parsed.faults)
    const workloadMs = duration === undefined ? undefined : Math.round(duration * 1000)
    const broken = Option.getOrUndefined(Option.map(parsed.broken, (name) => brokenVariants[name]))
    return (seed: number): Scenario => {
      const scenario = parsed.swarm
        ? swarmScenario(seed, { faults, ...(nodes === undefined ? {} : { nodes }), ...(workloadMs === undefined ? {} : { workloadMs }) })
        : { ...defaultScenario(nodes ?? 3, faults), ...(workloadMs === undefined ? {} : { workloadMs }) }
      return broken === undefined ? scenario : { ...scenario, broken }
    }
  })

/** The command line that replays a seed exactly. */
const replayCommand = (parsed: Parsed, seed: number) =>
  [
    `npm run sim --${parsed.swarm ? " --swarm" : ""} --seed ${seed}`,
    ...Option.toArray(Option.map(parsed.nodes, (nodes) => `--nodes ${nodes}`)),
    `--faults ${parsed.faults}`,
    ...Option.toArray(Option.map(parsed.duration, (duration) => `--duration ${duration}`)),
    ...Option.toArray(Option.map(parsed.broken, (name) => `--broken ${name}`))
  ].join(" ")

/** A seed's result, with its scenario when each seed draws its own. */
const describeResult = (parsed: Parsed, scenario: Scenario, result: SeedResult) => {
  const { fail, info, ok } = result.operations
  const outcome = result.violation === null
    ? "ok"
    : `FAILED: ${result.violation.invariant} at ${result.violation.atMs} ms: ${result.violation.detail}`
  const recovered = result.recoveredInMs === null
    ? ""
    : `, recovered in ${result.recoveredInMs} ms after the faults, of ${result.livenessBoundMs} ms allowed`
  const line = `seed ${result.seed}: ${outcome} (${result.simulatedMs} simulated ms; operations ok ${ok}, fail ${fail}, info ${info}${recovered})`
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

const sweep = (parsed: Parsed, scenarioOf: (seed: number) => Scenario) =>
  Effect.gen(function*() {
    const failed: Array<number> = []
    /** The largest share of its liveness bound that a seed's recovery took. */
    let slowestRecovery = { afterMs: 0, boundMs: 0 }
    const startedMs = performance.now()
    const nodes = Option.match(parsed.nodes, { onNone: () => parsed.swarm ? "1 to 7" : "3", onSome: String })
    yield* Console.error(
      `running ${parsed.seeds} ${parsed.swarm ? "swarm " : ""}seeds from ${parsed.firstSeed}: ${nodes} nodes, faults ${parsed.faults}`
    )
    for (let seed = parsed.firstSeed; seed < parsed.firstSeed + parsed.seeds; seed++) {
      const scenario = scenarioOf(seed)
      const result = runSeed(seed, scenario)
      const afterMs = result.recoveredInMs ?? 0
      if (afterMs * slowestRecovery.boundMs >= slowestRecovery.afterMs * result.livenessBoundMs) {
        slowestRecovery = { afterMs, boundMs: result.livenessBoundMs }
      }
      if (result.violation !== null) {
        failed.push(seed)
        yield* Console.log(`\n${describeResult(parsed, scenario, result)}\nThe events before it (simulated ms):`)
        yield* printTrace(parsed, scenario, seed, false)
        yield* Console.log(`Replay: ${replayCommand(parsed, seed)}\n`)
        if (!parsed.keepGoing) break
      }
      const done = seed - parsed.firstSeed + 1
      if (done % 100 === 0) {
        const seconds = (performance.now() - startedMs) / 1000
        yield* Console.error(`${done} seeds, ${failed.length} failed, ${(done / seconds).toFixed(1)} seeds/s`)
      }
      yield* Effect.yieldNow()
    }
    const seconds = ((performance.now() - startedMs) / 1000).toFixed(1)
    yield* Console.log(
      failed.length === 0
        ? `all ${parsed.seeds} seeds passed in ${seconds} s (slowest recovery after the faults: ${slowestRecovery.afterMs} ms of ${slowestRecovery.boundMs} ms allowed)`
        : `failing seeds: ${failed.join(" ")} (after ${seconds} s)`
    )
    if (failed.length > 0) return yield* new SeedsFailed({ seeds: failed })
  })

export const simCommand = Command.make("sim", options, (parsed) =>
  Effect.gen(function*() {
    const scenarioOf = yield* scenarioMaker(parsed)
    return yield* Option.match(parsed.seed, {
      onNone: () => sweep(parsed, scenarioOf),
      onSome: (seed) => replay(parsed, scenarioOf, seed)
    })
  })).pipe(Command.withDescription(
    "Runs a Raft cluster with simulated clients and faults on simulated time, one seed after another, checking Raft's invariants and linearizability; a failing seed replays exactly with --seed."
  ))

export const runCli = Command.run(simCommand, { name: "sim", version: "0.1.0" })
