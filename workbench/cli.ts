import { Command, HelpDoc, Options, ValidationError } from "@effect/cli"
import { accessSync, constants, statSync } from "node:fs"
import { resolve } from "node:path"
import { Clock, Console, Data, Deferred, Effect, Fiber, Option } from "effect"
import { maxValueBytes } from "../linkv/generator.js"
import { type MaelstromLatencyName, maelstromLatencyNames } from "../linkv/latency.js"
import { mostCorruptedAtOnce } from "./corruptFault.js"
import { corruptibleDataDirectory } from "./dataDirectory.js"
import { verdictLine } from "./results.js"
import { splitNodeArguments } from "./nodeArguments.js"
import { runTest } from "./runner.js"
import { listenForStopSignals } from "./stopSignals.js"
import { summaryText } from "./summary.js"
import {
  type KillSignal,
  killSignals,
  parseConcurrency,
  parseNemesis,
  parseNodeIds,
  type TestOptions,
  UsageError
} from "./testOptions.js"

/** The option parser refused the command line (an unknown option, a missing --bin); it has printed why on stderr. */
export class OptionsRejected extends Data.TaggedError("OptionsRejected")<{ readonly message: string }> {}

/** The user stopped the run (Ctrl-C): the results so far are saved, and are no verdict. */
export class RunInterrupted extends Data.TaggedError("RunInterrupted")<{ readonly signal: string }> {}

/** At least one test of the run was not valid: the process exits non-zero. */
export class RunInvalid extends Data.TaggedError("RunInvalid")<{ readonly invalidTests: number }> {}

/** Maelstrom's defaults, shown by --help. */
const defaults = {
  workload: "lin-kv",
  nodeCount: "1",
  concurrency: "1n",
  rate: "5",
  timeLimit: "60",
  latency: "0",
  latencyDist: "constant",
  nemesisInterval: "10",
  killSignal: "kill",
  testCount: "1",
  store: "store"
} as const

/** A text option with its default, which --help shows (numbers are parsed by `toTestOptions`, which names the flag). */
const withDefault = (name: string, value: string, description: string) =>
  Options.text(name).pipe(Options.withDefault(value), Options.withDescription(`${description} (default: ${value})`))

const options = {
  workload: withDefault("workload", defaults.workload, "the workload; this workbench runs lin-kv").pipe(Options.withAlias("w")),
  bin: Options.text("bin").pipe(
    Options.withDescription("the node binary (any executable); words after the options, or after --, are its arguments")
  ),
  nodeCount: withDefault("node-count", defaults.nodeCount, "number of nodes, named n0, n1, ... as in Maelstrom"),
  nodes: Options.text("nodes").pipe(Options.optional, Options.withDescription("comma-separated node names, instead of --node-count")),
  concurrency: withDefault("concurrency", defaults.concurrency, "client count: an integer, or Kn for K per node"),
  rate: withDefault("rate", defaults.rate, "target operations per second, all clients together"),
  timeLimit: withDefault("time-limit", defaults.timeLimit, "seconds of client operations"),
  latency: withDefault("latency", defaults.latency, "mean node<->node latency in ms (clients have none)"),
  latencyDist: withDefault("latency-dist", defaults.latencyDist, `latency distribution: ${maelstromLatencyNames.join(", ")}`),
  availability: Options.text("availability").pipe(
    Options.optional,
    Options.withDescription("total, or a fraction: the test is invalid when fewer of its operations are ok (default: not checked)")
  ),
  nemesis: Options.text("nemesis").pipe(
    Options.optional,
    Options.withDescription(
      "faults to inject, comma-separated: partition, kill, pause, corrupt (needs the node's --data-dir), transfer (asks for a leadership transfer), membership (asks for membership changes), in any combination (default: none)"
    )
  ),
  nemesisInterval: withDefault(
    "nemesis-interval",
    defaults.nemesisInterval,
    "mean seconds between a fault and its heal, and between a heal and the next fault of its kind (each waits 0 to twice this)"
  ),
  killSignal: withDefault(
    "kill-signal",
    defaults.killSignal,
    "how the kill nemesis stops a node: kill (SIGKILL) or term (SIGTERM, a graceful stop; SIGKILL after 2 s)"
  ),
  valueBytes: Options.text("value-bytes").pipe(
    Options.optional,
    Options.withDescription(
      `write strings of this many bytes (1 to ${maxValueBytes}), five of them, each its digit 0 to 4 repeated (default: the integers 0 to 4, as Maelstrom)`
    )
  ),
  testCount: withDefault("test-count", defaults.testCount, "how many tests to run, one after the other"),
  seed: Options.text("seed").pipe(Options.optional,
    Options.withDescription("seed of the generator, latencies and nemesis (default: from the clock)")),
  logStderr: Options.boolean("log-stderr").pipe(Options.withDescription("also print the nodes' stderr here (default: off)")),
  store: withDefault("store", defaults.store, "where results are written")
}

/** The options that take no value (ours and @effect/cli's built-in ones), for telling option values from node arguments. */
const optionsWithoutValue = new Set(["--log-stderr", "--help", "-h"])

export type ParsedOptions = Command.Command.ParseConfig<typeof options> & { readonly binArgs: ReadonlyArray<string> }

/** What a numeric flag accepts, in words for the error message. */
const numberKinds = {
  "a positive number": (x: number) => x > 0,
  "a number >= 0": (x: number) => x >= 0,
  "a positive integer": (x: number) => x > 0 && Number.isInteger(x),
  "an integer": (x: number) => Number.isInteger(x)
} as const

/** A numeric flag's value, or an error naming the flag, the value and what it must be. */
const numberFlag = (flag: string, text: string, kind: keyof typeof numberKinds): Effect.Effect<number, UsageError> => {
  const value = text.trim() === "" ? Number.NaN : Number(text)
  return Number.isFinite(value) && numberKinds[kind](value)
    ? Effect.succeed(value)
    : Effect.fail(new UsageError({ message: `${flag} ${JSON.stringify(text)}: expected ${kind}` }))
}

/** `--value-bytes N`: a positive integer no larger than the longest value the generator makes. */
const valueBytesFlag = (text: string) =>
  numberFlag("--value-bytes", text, "a positive integer").pipe(
    Effect.filterOrFail(
      (bytes) => bytes <= maxValueBytes,
      () => new UsageError({ message: `--value-bytes ${JSON.stringify(text)}: expected at most ${maxValueBytes} (1 MiB)` })
    )
  )

/** `--availability total` asks for every operation ok; otherwise a fraction from 0 to 1. */
const availabilityFlag = (text: string) =>
  text === "total"
    ? Effect.succeed(1)
    : numberFlag("--availability", text, "a number >= 0").pipe(
      Effect.filterOrFail(
        (fraction) => fraction <= 1,
        () => new UsageError({ message: `--availability ${JSON.stringify(text)}: expected total or a fraction from 0 to 1` })
      )
    )

const isKillSignal = (text: string): text is KillSignal => (killSignals as ReadonlyArray<string>).includes(text)

const isLatencyName = (text: string): text is MaelstromLatencyName => (maelstromLatencyNames as ReadonlyArray<string>).includes(text)

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
        message: `--bin ${bin}: ${
          (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file"
            : (error as NodeJS.ErrnoException).code === "EACCES" ? "not executable (chmod +x it)" : (error as Error).message
        }`
      })
  })

export const toTestOptions = (parsed: ParsedOptions): Effect.Effect<TestOptions, UsageError> =>
  Effect.gen(function*() {
    if (parsed.workload !== "lin-kv") {
      return yield* new UsageError({ message: `unknown workload ${JSON.stringify(parsed.workload)}; this workbench runs: lin-kv` })
    }
    const nodeIds = parseNodeIds(Option.getOrUndefined(parsed.nodes),
      yield* numberFlag("--node-count", parsed.nodeCount, "a positive integer"))
    if (nodeIds === undefined) return yield* new UsageError({ message: "--nodes needs distinct comma-separated names, like n0,n1,n2" })
    const concurrency = parseConcurrency(parsed.concurrency, nodeIds.length)
    if (concurrency === undefined)
      return yield* new UsageError({
        message: `--concurrency ${parsed.concurrency}: use an integer or Kn (K clients per node)`
      })
    const nemesis = Option.isNone(parsed.nemesis) ? [] : yield* parseNemesis(parsed.nemesis.value)
    const corrupts = nemesis.includes("corrupt")
    if (corrupts && mostCorruptedAtOnce(nodeIds.length) === 0) {
      return yield* new UsageError({
        message: `--nemesis corrupt damages a minority of the nodes at a time, so it needs at least 3 nodes, not ${nodeIds.length}`
      })
    }
    const dataDirectory = corrupts ? yield* corruptibleDataDirectory(parsed.binArgs) : undefined
    const killSignal = parsed.killSignal
    if (!isKillSignal(killSignal)) {
      return yield* new UsageError({ message: `--kill-signal ${JSON.stringify(killSignal)}: expected one of ${killSignals.join(", ")}` })
    }
    if (killSignal !== defaults.killSignal && !nemesis.includes("kill")) {
      return yield* new UsageError({ message: `--kill-signal ${killSignal} is for the kill nemesis: add kill to --nemesis` })
    }
    const latencyDistribution = parsed.latencyDist
    if (!isLatencyName(latencyDistribution)) {
      return yield* new UsageError({
        message: `--latency-dist ${JSON.stringify(latencyDistribution)}: expected one of ${maelstromLatencyNames.join(", ")}`
      })
    }
    return {
      workload: "lin-kv",
      bin: yield* checkBinary(parsed.bin),
      binArgs: parsed.binArgs,
      nodeIds,
      concurrency,
      rate: yield* numberFlag("--rate", parsed.rate, "a positive number"),
      timeLimitSeconds: yield* numberFlag("--time-limit", parsed.timeLimit, "a positive number"),
      latencyMs: yield* numberFlag("--latency", parsed.latency, "a number >= 0"),
      latencyDistribution,
      availability: Option.isNone(parsed.availability) ? undefined : yield* availabilityFlag(parsed.availability.value),
      nemesis,
      nemesisIntervalSeconds: yield* numberFlag("--nemesis-interval", parsed.nemesisInterval, "a positive number"),
      killSignal,
      dataDirectory,
      valueBytes: Option.isNone(parsed.valueBytes) ? undefined : yield* valueBytesFlag(parsed.valueBytes.value),
      testCount: yield* numberFlag("--test-count", parsed.testCount, "a positive integer"),
      seed: Option.isSome(parsed.seed) ? yield* numberFlag("--seed", parsed.seed.value, "an integer")
        : (yield* Clock.currentTimeMillis) % 2 ** 31,
      logStderr: parsed.logStderr,
      storeDir: resolve(parsed.store)
    } satisfies TestOptions
  })

const runTests = (test: TestOptions) =>
  Effect.gen(function*() {
    const stop = yield* listenForStopSignals
    let invalidTests = 0
    for (let i = 1; i <= test.testCount; i++) {
      if (yield* Deferred.isDone(stop)) return yield* new RunInterrupted({ signal: yield* Deferred.await(stop) })
      // Each test gets its own seed, derived from the first, so any one of them can be replayed alone.
      const seed = test.seed + i - 1
      yield* Console.error(`Test ${i} of ${test.testCount}: lin-kv, ${test.nodeIds.length} node(s), seed ${seed}`)
      const run = yield* runTest({ ...test, seed }, Deferred.await(stop))
      yield* Console.log(summaryText(run))
      yield* Console.log(verdictLine(run.results))
      const { end } = run.results
      if (end.reason === "interrupted") return yield* new RunInterrupted({ signal: end.signal })
      if (!run.results.valid) invalidTests += 1
    }
    if (test.testCount > 1) yield* Console.log(`${test.testCount - invalidTests} of ${test.testCount} tests valid`)
    if (invalidTests > 0) return yield* new RunInvalid({ invalidTests })
  }).pipe(Effect.scoped)

/**
 * The runtime interrupts the main fiber on Ctrl-C, which would drop the test's
 * results; so the tests run on a fiber of their own, which stops at the signal
 * and saves what it has, and the main fiber waits for it without being interrupted.
 */
const runTestsToTheEnd = (test: TestOptions) =>
  Effect.flatMap(Effect.forkDaemon(runTests(test)), (tests) => Effect.uninterruptible(Fiber.join(tests)))

const testCommand = (binArgs: ReadonlyArray<string>) =>
  Command.make("test", options, (parsed) => Effect.flatMap(toTestOptions({ ...parsed, binArgs }), runTestsToTheEnd)).pipe(
    Command.withDescription("run a Maelstrom-style test against a node binary: test [options] [--] [node arguments...]")
  )

/** Runs the command line; the node's arguments are split off first so that the option parser sees only options. */
export const runCli = (argv: ReadonlyArray<string>) => {
  const [runtime = "", script = "", command, ...words] = argv
  const split = command === "test" ? splitNodeArguments(words, optionsWithoutValue) : { options: words, nodeArguments: [] }
  const workbenchCommand = Command.make("workbench").pipe(
    Command.withDescription("a Maelstrom-compatible workbench for lin-kv nodes"),
    Command.withSubcommands([testCommand(split.nodeArguments)])
  )
  const args = command === undefined ? [runtime, script] : [runtime, script, command, ...split.options]
  return Command.run(workbenchCommand, { name: "workbench", version: "0.1.0" })(args).pipe(
    Effect.catchIf(ValidationError.isValidationError,
      (error) => Effect.fail(new OptionsRejected({ message: HelpDoc.toAnsiText(error.error).trim() })))
  )
}
