import { Option } from "effect"
import type { ParsedOptions } from "../../workbench/cli.js"

/** A `test` command line as parsed, every option at a plain value: a test overrides the ones it is about. */
export const parsedOptions = (overrides: Partial<ParsedOptions> = {}): ParsedOptions => ({
  workload: "lin-kv",
  bin: "bin/raft",
  nodeCount: "3",
  nodes: Option.none(),
  concurrency: "1n",
  rate: "5",
  timeLimit: "60",
  latency: "0",
  latencyDist: "constant",
  availability: Option.none(),
  nemesis: Option.none(),
  nemesisInterval: "10",
  killSignal: "kill",
  valueBytes: Option.none(),
  testCount: "1",
  seed: Option.some("1"),
  logStderr: false,
  store: "store",
  binArgs: [],
  ...overrides
})
