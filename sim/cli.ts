import { Command, Options } from "@effect/cli"
import { Console, Data, Effect, Option } from "effect"
import { type BrokenVariantName, brokenVariants } from "./brokenVariants.js"
import { type FaultKind, faultKinds } from "./nemesis.js"
import { defaultScenario, runSeed, type Scenario, type SeedResult } from "./runSeed.js"
import { formatTrace, linesAround, Trace } from "./Trace.js"

/** Some seed broke an invariant: the process exits non-zero. */
export class SeedsFailed extends Data.TaggedError("SeedsFailed")<{ readonly seeds: ReadonlyArray<number> }> {}

export class UsageError extends Data.TaggedError("UsageError")<{ readonly message: string }> {}

const options = {
  seeds: Options.integer("seeds").pipe(Options.withDefault(100), Options.withDescription("how many seeds to run")),
  firstSeed: Options.integer("first-seed").pipe(Options.withDefault(1), Options.withDescription("the first seed of the range")),
  seed: Options.integer("seed").pipe(Options.optional, Options.withDescription("replay this one seed and print its trace")),
  nodes: Options.integer("nodes").pipe(Options.withDefault(3), Options.withDescription("cluster size")),
  faults: Options.text("faults").pipe(
    Options.withDefault(faultKinds.join(",")),
    Options.withDescription(`comma-separated faults from ${faultKinds.join(", ")}; "none" for none`)
  ),
  duration: Options.float("duration").pipe(Options.withDefault(3), Options.withDescription("simulated seconds of client operations per seed")),
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

const toScenario = (parsed: Parsed) =>
  Effect.gen(function*() {
    if (parsed.nodes < 1) return yield* new UsageError({ message: "--nodes must be at least 1" })
    if (!(parsed.duration > 0)) return yield* new UsageError({ message: "--duration must be positive" })
    const scenario: Scenario = {
      ...defaultScenario(parsed.nodes, yield* parseFaults(parsed.faults)),
      workloadMs: Math.round(parsed.duration * 1000)
    }
    return Option.match(parsed.broken, {
      onNone: () => scenario,
      onSome: (name) => ({ ...scenario, broken: brokenVariants[name] })
    })
  })

/** The command line that replays a seed exactly. */
const replayCommand = (parsed: Parsed, seed: number) =>
  [
    `npm run sim -- --seed ${seed} --nodes ${parsed.nodes} --faults ${parsed.faults} --duration ${parsed.duration}`,
    ...Option.toArray(Option.map(parsed.broken, (name) => `--broken ${name}`))
  ].join(" ")

const describeResult = (result: SeedResult) => {
  const { fail, info, ok } = result.operations
  const outcome = result.violation === null
    ? "ok"
    : `FAILED: ${result.violation.invariant} at ${result.violation.atMs} ms: ${result.violation.detail}`
  const recovered = result.recoveredInMs === null ? "" : `, recovered in ${result.recoveredInMs} ms after the faults`
  return `seed ${result.seed}: ${outcome} (${result.simulatedMs} simulated ms; operations ok ${ok}, fail ${fail}, info ${info}${recovered})`
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

const replay = (parsed: Parsed, scenario: Scenario, seed: number) =>
  Effect.gen(function*() {
    const result = yield* printTrace(parsed, scenario, seed, parsed.fullTrace || parsed.traceLines <= 0)
    yield* Console.log(describeResult(result))
    if (result.violation !== null) return yield* new SeedsFailed({ seeds: [seed] })
  })

const sweep = (parsed: Parsed, scenario: Scenario) =>
  Effect.gen(function*() {
    const failed: Array<number> = []
    let slowestRecoveryMs = 0
    const startedMs = performance.now()
    const faults = scenario.faults.size === 0 ? "none" : [...scenario.faults].join(",")
    yield* Console.error(`running ${parsed.seeds} seeds from ${parsed.firstSeed}: ${parsed.nodes} nodes, faults ${faults}`)
    for (let seed = parsed.firstSeed; seed < parsed.firstSeed + parsed.seeds; seed++) {
      const result = runSeed(seed, scenario)
      slowestRecoveryMs = Math.max(slowestRecoveryMs, result.recoveredInMs ?? 0)
      if (result.violation !== null) {
        failed.push(seed)
        yield* Console.log(`\n${describeResult(result)}\nThe events before it (simulated ms):`)
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
        ? `all ${parsed.seeds} seeds passed in ${seconds} s (slowest recovery after the faults: ${slowestRecoveryMs} ms)`
        : `failing seeds: ${failed.join(" ")} (after ${seconds} s)`
    )
    if (failed.length > 0) return yield* new SeedsFailed({ seeds: failed })
  })

export const simCommand = Command.make("sim", options, (parsed) =>
  Effect.gen(function*() {
    const scenario = yield* toScenario(parsed)
    return yield* Option.match(parsed.seed, {
      onNone: () => sweep(parsed, scenario),
      onSome: (seed) => replay(parsed, scenario, seed)
    })
  })).pipe(Command.withDescription(
    "Runs a Raft cluster with simulated clients and faults on simulated time, one seed after another, checking Raft's invariants and linearizability; a failing seed replays exactly with --seed."
  ))

export const runCli = Command.run(simCommand, { name: "sim", version: "0.1.0" })
