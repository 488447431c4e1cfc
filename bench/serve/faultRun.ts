/**
 * The real-transport fault scenario of the tests (test/support/servedFaultScenario.ts),
 * run as long as asked: SIZE `bin/raft serve` processes with data
 * directories, a line-aware TCP proxy on every peer link, CONCURRENCY HTTP
 * clients, and ROUNDS rounds of faults (a minority with the leader cut off,
 * every link slow and lossy, the leader killed with -9 and restarted). Shows
 * each round as it ends, on stderr; at the end prints the record (what
 * succeeded, the verdict, any problem) and exits 0 when the run is valid,
 * 1 when it is not.
 *
 * Usage: npm run build && node dist/bench/serve/faultRun.js [--size 3] [--rounds 20] [--concurrency 6]
 */
import { problemsOfRun, runFaultScenario } from "../../test/support/servedFaultScenario.js"

const usage = "usage: node dist/bench/serve/faultRun.js [--size N (3..7)] [--rounds N (1..1000)] [--concurrency N (1..100)]"

const limits = { size: [3, 7], rounds: [1, 1000], concurrency: [1, 100] } as const
type Option = keyof typeof limits

const parse = (argv: ReadonlyArray<string>): Record<Option, number> | string => {
  const chosen: Record<Option, number> = { size: 3, rounds: 20, concurrency: 6 }
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i]!.replace(/^--/, "")
    if (!argv[i]!.startsWith("--") || !(name in limits)) return `unknown option ${JSON.stringify(argv[i])}`
    const [min, max] = limits[name as Option]
    const value = Number(argv[i + 1])
    if (!Number.isInteger(value) || value < min || value > max) {
      return `--${name} ${JSON.stringify(argv[i + 1] ?? "")}: expected a whole number from ${min} to ${max}`
    }
    chosen[name as Option] = value
  }
  return chosen
}

const options = parse(process.argv.slice(2))
if (typeof options === "string") {
  console.error(`${options}\n${usage}`)
  process.exit(2)
}

const startedMs = performance.now()
const seconds = () => ((performance.now() - startedMs) / 1000).toFixed(0)
console.error(`${options.size} served nodes, ${options.concurrency} HTTP clients, ${options.rounds} rounds of faults (about 6 s each)`)
const run = await runFaultScenario({
  ...options,
  onRound: (round, okSoFar) => console.error(`round ${round}/${options.rounds} done at ${seconds()} s: ${okSoFar} ok so far`)
})
const problems = problemsOfRun(run)
console.log(`- ${options.size} nodes, ${options.concurrency} clients, ${options.rounds} rounds, ${seconds()} s`)
console.log(`- ${run.summary}; ${run.okAtTheEnd} ok in the last 1.5 s; ${run.droppedAtTheCut} peer lines swallowed at the cuts`)
console.log(`- ${problems.length === 0 ? "valid" : `NOT valid: ${problems.join("; ")}`}`)
process.exit(problems.length === 0 ? 0 : 1)
