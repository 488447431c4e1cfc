import type { CheckResult } from "../checker/result.js"
import type { NodeCrash } from "./cluster.js"
import type { MalformedReplies } from "./malformedReplies.js"
import type { FaultWindow } from "./nemesis.js"
import type { RouterCounters, StdoutCutOff } from "./router.js"
import type { Stats } from "./stats.js"
import type { TestEnd } from "./testEnd.js"

/** Everything results.json holds about one test. */
export interface Results {
  readonly workload: "lin-kv"
  /** True only when the checker found every key linearizable and `problems` is empty. */
  readonly valid: boolean
  /** Why the run is not valid, in words (empty when valid). */
  readonly problems: ReadonlyArray<string>
  readonly test: {
    readonly bin: string
    readonly binArgs: ReadonlyArray<string>
    readonly nodes: ReadonlyArray<string>
    readonly concurrency: number
    readonly rate: number
    readonly timeLimitSeconds: number
    readonly latencyMs: number
    readonly latencyDistribution: string
    readonly nemesis: ReadonlyArray<string>
    readonly nemesisIntervalSeconds: number
    /** `--availability`: the least fraction of ok operations, or null when not required. */
    readonly availability: number | null
    /** `--value-bytes`: the size of the strings written, or null when the integers 0..4 were. */
    readonly valueBytes: number | null
    readonly clientTimeoutMs: number
    readonly seed: number
    readonly startedAt: string
  }
  /** Why and when the client phase ended: at the time limit, or early (then the test is not valid). */
  readonly end: TestEnd
  readonly linearizability: CheckResult
  readonly stats: Stats
  readonly network: RouterCounters
  readonly malformedReplies: MalformedReplies
  /** Every fault the nemesis injected: its kind, what it was, the nodes it struck, when it started and ended. */
  readonly faults: ReadonlyArray<FaultWindow>
  readonly crashes: ReadonlyArray<NodeCrash>
}

/** Maelstrom's closing lines, by verdict; an interrupted test has none. */
export const verdictLine = ({ end, linearizability, valid }: Results): string =>
  end.reason === "interrupted"
    ? `Test interrupted (${end.signal}): what it recorded is saved, and is no verdict.`
    : valid
    ? "Everything looks good! ヽ(‘ー`)ノ"
    : linearizability.verdict === "unknown"
    ? "Errors occurred during analysis, but no anomalies found. ಠ~ಠ"
    : "Analysis invalid! (ﾉಥ益ಥ）ﾉ ┻━┻"

/** One line for a crashed node (its stderr is shown apart, in the summary). */
export const crashProblem = (crash: NodeCrash): string =>
  `node ${crash.node} crashed at ${(crash.atMs / 1000).toFixed(1)} s (exit code ${crash.code}, signal ${crash.signal})`

/**
 * The reasons a run is not valid: dead nodes first, then killed nodes that
 * did not come back, the checker's verdict, and nodes that printed
 * something else than messages on stdout.
 */
export const problemsOf = (
  check: CheckResult,
  crashes: ReadonlyArray<NodeCrash>,
  faults: ReadonlyArray<FaultWindow>,
  stdoutCutOff: ReadonlyArray<StdoutCutOff>
): ReadonlyArray<string> => [
  ...crashes.map(crashProblem),
  ...faults.flatMap((fault) => (fault.problem === undefined ? [] : [fault.problem])),
  ...check.keys.filter((key) => key.verdict === "invalid").map((key) =>
    `key ${JSON.stringify(key.key)} is not linearizable${key.explanation ? `: ${key.explanation.summary}` : ""}`
  ),
  ...check.keys.filter((key) => key.verdict === "unknown").map((key) =>
    `key ${JSON.stringify(key.key)} could not be checked: ${key.reason ?? "budget exhausted"}`
  ),
  ...stdoutCutOff.map(({ line, node }) =>
    `node ${node} printed a line on stdout that is not a JSON message, and its stdout was not read after it: ` +
    `${JSON.stringify(line)}. Stdout carries messages only; print logs on stderr`
  )
]
