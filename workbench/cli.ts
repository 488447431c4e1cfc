import { Args, Command, Options } from "@effect/cli"
import { accessSync, constants, statSync } from "node:fs"
import { resolve } from "node:path"
import { Clock, Console, Data, Effect, Option } from "effect"
import { type MaelstromLatencyName, maelstromLatencyNames } from "../linkv/latency.js"
import { verdictLine } from "./results.js"
import { runTest } from "./runner.js"
import { summaryText } from "./summary.js"
import { parseConcurrency, parseNodeIds, type TestOptions, UsageError } from "./testOptions.js"

/** At least one test of the run was not valid: the process exits non-zero. */
export class RunInvalid extends Data.TaggedError("RunInvalid")<{ readonly invalidTests: number }> {}

const options = {
  workload: Options.text("workload").pipe(Options.withAlias("w"), Options.withDescription("the workload; this workbench runs lin-kv")),
  bin: Options.text("bin").pipe(Options.withDescription("the node binary (any executable); arguments after the options are passed to it")),
  nodeCount: Options.integer("node-count").pipe(Options.withDefault(1), Options.withDescription("number of nodes, named n1..nN")),
  nodes: Options.text("nodes").pipe(Options.optional, Options.withDescription("comma-separated node names, instead of --node-count")),
  concurrency: Options.text("concurrency").pipe(Options.withDefault("1n"), Options.withDescription("client count: an integer, or Kn for K per node")),
  rate: Options.float("rate").pipe(Options.withDefault(5), Options.withDescription("target operations per second, all clients together")),
  timeLimit: Options.float("time-limit").pipe(Options.withDefault(10), Options.withDescription("seconds of client operations")),
  latency: Options.float("latency").pipe(Options.withDefault(0), Options.withDescription("mean node<->node latency in ms (clients have none)")),
  latencyDist: Options.choice("latency-dist", maelstromLatencyNames).pipe(Options.withDefault("constant" as MaelstromLatencyName)),
  nemesis: Options.text("nemesis").pipe(Options.optional, Options.withDescription("faults to inject: partition")),
  nemesisInterval: Options.float("nemesis-interval").pipe(Options.withDefault(10), Options.withDescription("seconds between a partition and its heal")),
  testCount: Options.integer("test-count").pipe(Options.withDefault(1), Options.withDescription("how many tests to run, one after the other")),
  seed: Options.integer("seed").pipe(Options.optional, Options.withDescription("seed of the generator, latencies and nemesis (default: from the clock)")),
  logStderr: Options.boolean("log-stderr").pipe(Options.withDescription("also print the nodes' stderr here")),
  store: Options.text("store").pipe(Options.withDefault("store"), Options.withDescription("where results are written"))
}

type ParsedOptions = Command.Command.ParseConfig<typeof options> & { readonly binArgs: ReadonlyArray<string> }

const positive = (name: string, value: number) =>
  value > 0 && Number.isFinite(value) ? Effect.succeed(value) : Effect.fail(new UsageError({ message: `${name} must be positive, got ${value}` }))

/** The node binary as an absolute path: it must exist and be executable (nodes run in a temp directory). */
const checkBinary = (bin: string) =>
  Effect.try({
    try: () => {
      const path = resolve(bin)
      if (!statSync(path).isFile()) throw new Error("is not a file")
      accessSync(path, constants.X_OK)
      return path
    },
    catch: (error) =>
      new UsageError({
        message: `--bin ${bin}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as NodeJS.ErrnoException).code === "EACCES" ? "not executable (chmod +x it)" : (error as Error).message}`
      })
  })

export const toTestOptions = (parsed: ParsedOptions): Effect.Effect<TestOptions, UsageError> =>
  Effect.gen(function*() {
    if (parsed.workload !== "lin-kv") {
      return yield* new UsageError({ message: `unknown workload ${JSON.stringify(parsed.workload)}; this workbench runs: lin-kv` })
    }
    const nodeIds = parseNodeIds(Option.getOrUndefined(parsed.nodes), yield* positive("--node-count", parsed.nodeCount))
    if (nodeIds === undefined) return yield* new UsageError({ message: "--nodes needs distinct comma-separated names, like n1,n2,n3" })
    const concurrency = parseConcurrency(parsed.concurrency, nodeIds.length)
    if (concurrency === undefined) return yield* new UsageError({ message: `--concurrency ${parsed.concurrency}: use an integer or Kn (K clients per node)` })
    const nemesis = Option.match(parsed.nemesis, { onNone: () => [], onSome: (text) => text.split(",").map((n) => n.trim()) })
    const unknownNemesis = nemesis.filter((n) => n !== "partition")
    if (unknownNemesis.length > 0) return yield* new UsageError({ message: `unknown nemesis ${unknownNemesis.join(",")}; this workbench has: partition` })
    if (parsed.latency < 0) return yield* new UsageError({ message: "--latency cannot be negative" })
    return {
      workload: "lin-kv",
      bin: yield* checkBinary(parsed.bin),
      binArgs: parsed.binArgs,
      nodeIds,
      concurrency,
      rate: yield* positive("--rate", parsed.rate),
      timeLimitSeconds: yield* positive("--time-limit", parsed.timeLimit),
      latencyMs: parsed.latency,
      latencyDistribution: parsed.latencyDist,
      nemesis: nemesis as Array<"partition">,
      nemesisIntervalSeconds: yield* positive("--nemesis-interval", parsed.nemesisInterval),
      testCount: yield* positive("--test-count", parsed.testCount),
      seed: Option.isSome(parsed.seed) ? parsed.seed.value : (yield* Clock.currentTimeMillis) % 2 ** 31,
      logStderr: parsed.logStderr,
      storeDir: resolve(parsed.store)
    } satisfies TestOptions
  })

const runTests = (test: TestOptions) =>
  Effect.gen(function*() {
    let invalidTests = 0
    for (let i = 1; i <= test.testCount; i++) {
      // Each test gets its own seed, derived from the first, so any one of them can be replayed alone.
      const seed = test.seed + i - 1
      yield* Console.error(`Test ${i} of ${test.testCount}: lin-kv, ${test.nodeIds.length} node(s), seed ${seed}`)
      const run = yield* runTest({ ...test, seed })
      yield* Console.log(summaryText(run))
      yield* Console.log(verdictLine(run.results.valid, run.results.linearizability.verdict))
      if (!run.results.valid) invalidTests += 1
    }
    if (test.testCount > 1) yield* Console.log(`${test.testCount - invalidTests} of ${test.testCount} tests valid`)
    if (invalidTests > 0) return yield* new RunInvalid({ invalidTests })
  })

const testCommand = Command.make(
  "test",
  { ...options, binArgs: Args.text({ name: "bin-arg" }).pipe(Args.repeated) },
  (parsed) => Effect.flatMap(toTestOptions(parsed), runTests)
).pipe(Command.withDescription("run a Maelstrom-style test against a node binary"))

export const workbenchCommand = Command.make("workbench").pipe(
  Command.withDescription("a Maelstrom-compatible workbench for lin-kv nodes"),
  Command.withSubcommands([testCommand])
)

export const runCli = Command.run(workbenchCommand, { name: "workbench", version: "0.1.0" })
