import { Args, Command, Options } from "@effect/cli"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { Clock, Console, Data, Effect, Option, Ref } from "effect"
import { StderrLogger } from "../foundation/StderrLogger.js"
import { canonicalJson } from "../foundation/json.js"
import { runMainWithExitCode } from "../foundation/runMainWithExitCode.js"
import { checkHistory, DEFAULT_TIME_LIMIT_MS } from "./check.js"
import { renderExplanationText } from "./explanation.js"
import { parseHistoryText } from "./formats/load.js"
import { MalformedHistory } from "./operations.js"
import type { CheckResult, KeyResult, Verdict } from "./result.js"

/**
 * check-history PATH [--model cas-register] [--time-limit S]
 * Prints a verdict per key; exits 0 when all keys are valid, 1 when any is
 * invalid, 2 when any is unknown, 3 on an error (never a verdict).
 */

export class HistoryUnreadable extends Data.TaggedError("HistoryUnreadable")<{
  readonly path: string
  readonly cause: unknown
}> {}

/** The checker itself failed: a bug, reported as an error and never as a verdict. */
export class CheckerFailed extends Data.TaggedError("CheckerFailed")<{
  readonly message: string
}> {}

export class HistoryMalformed extends Data.TaggedError("HistoryMalformed")<{
  readonly path: string
  readonly message: string
}> {}

const EXIT_CODE: Record<Verdict, number> = { valid: 0, invalid: 1, unknown: 2 }
const EXIT_ERROR = 3

const describeKey = (result: CheckResult, key: KeyResult): string => {
  const name = result.keys.length === 1 && key.key === null ? "register" : `key ${canonicalJson(key.key)}`
  const head = `${name}: ${key.verdict === "invalid" ? "INVALID" : key.verdict} (${key.operationCount} ops)`
  if (key.verdict === "unknown") return `${head}: ${key.reason ?? "budget exhausted"}`
  if (key.explanation === undefined) return head
  const body = renderExplanationText(key.explanation).split("\n").map((line) => `    ${line}`).join("\n")
  return `${head}\n${body}`
}

const checkFile = (path: string, timeLimitSeconds: Option.Option<number>, stopAtFirstInvalid: boolean) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const text = yield* fs.readFileString(path).pipe(Effect.mapError((cause) => new HistoryUnreadable({ path, cause })))
    const started = yield* Clock.currentTimeMillis
    const loaded = yield* Effect.try({
      try: () => parseHistoryText(path, text),
      catch: (error) => new HistoryMalformed({ path, message: error instanceof Error ? error.message : String(error) })
    })
    yield* Effect.logDebug(`read ${loaded.ops.length} history lines as ${loaded.format} ${loaded.layout ?? ""}`)
    const timeLimitMs = Option.getOrElse(Option.map(timeLimitSeconds, (s) => s * 1000), () => DEFAULT_TIME_LIMIT_MS)
    const result = yield* Effect.try({
      try: () => checkHistory(loaded.ops, { ...loaded.options, timeLimitMs, stopAtFirstInvalid }),
      catch: (error) =>
        error instanceof MalformedHistory
          ? new HistoryMalformed({ path, message: error.message })
          : new CheckerFailed({ message: error instanceof Error ? error.stack ?? error.message : String(error) })
    })
    const elapsed = (yield* Clock.currentTimeMillis) - started
    for (const key of result.keys) yield* Console.log(describeKey(result, key))
    const count = (v: Verdict) => result.keys.filter((k) => k.verdict === v).length
    yield* Console.log(
      `${result.keys.length} key${result.keys.length === 1 ? "" : "s"}, ${loaded.ops.length} history lines, checked in ${
        (elapsed / 1000).toFixed(2)
      } s: ` +
        `${count("valid")} valid, ${count("invalid")} invalid, ${count("unknown")} unknown. Verdict: ${result.verdict}`
    )
    return EXIT_CODE[result.verdict]
  })

const path = Args.text({ name: "path" }).pipe(Args.withDescription("history.jsonl or a Jepsen/Maelstrom history.edn"))
const model = Options.choice("model", ["cas-register"]).pipe(
  Options.withDefault("cas-register" as const),
  Options.withDescription("the model each key is checked against")
)
const timeLimit = Options.float("time-limit").pipe(
  Options.optional,
  Options.withDescription(`seconds per key before it counts as unknown (default ${DEFAULT_TIME_LIMIT_MS / 1000})`)
)
const stopAtFirstInvalid = Options.boolean("stop-at-first-invalid").pipe(
  Options.withDescription("do not check keys after the first invalid one")
)

const command = (exitCode: Ref.Ref<number>) =>
  Command.make("check-history", { path, model, timeLimit, stopAtFirstInvalid }, (args) =>
    checkFile(args.path, args.timeLimit, args.stopAtFirstInvalid).pipe(Effect.flatMap((code) => Ref.set(exitCode, code))))

const main = Effect.gen(function*() {
  const exitCode = yield* Ref.make(0)
  yield* Command.run(command(exitCode), { name: "check-history", version: "0.1.0" })(process.argv)
  return yield* Ref.get(exitCode)
}).pipe(
  Effect.catchAll((error) =>
    Console.error(
      error._tag === "HistoryUnreadable"
        ? `check-history: cannot read ${error.path}: ${String(error.cause)}`
        : error._tag === "HistoryMalformed"
        ? `check-history: ${error.path} is not a history: ${error.message}`
        : error._tag === "CheckerFailed"
        ? `check-history: the checker failed: ${error.message}`
        : "check-history: invalid arguments (see --help)"
    ).pipe(Effect.as(EXIT_ERROR))
  ),
  Effect.catchAllDefect((defect) => Console.error(`check-history: unexpected failure: ${String(defect)}`).pipe(Effect.as(EXIT_ERROR))),
  Effect.provide(NodeContext.layer),
  Effect.provide(StderrLogger(process.env.CHECKER_LOG_LEVEL))
)

runMainWithExitCode(main, EXIT_ERROR)
