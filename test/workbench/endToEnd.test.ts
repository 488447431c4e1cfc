import { spawnSync } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { faultColors } from "../../workbench/plots.js"
import { repoRoot, runWorkbench, testRun } from "./workbenchRun.js"

// These spawn the compiled workbench and real node processes: run `npm run build` first.

/** Runs a test that must end "Analysis invalid!" with exit code 1; its results.json. */
const invalidRun = async (args: ReadonlyArray<string>) => {
  const run = await runWorkbench(args)
  expect(run.stdout, run.stderr.slice(-3000)).toContain("Analysis invalid!")
  expect(run.exitCode).toBe(1)
  const results = run.results()
  expect(results.valid).toBe(false)
  return { run, results }
}

describe("workbench end to end", () => {
  it("finds the local-state KV not linearizable on 3 nodes, and reports a node that dies", async () => {
    const { run, results } = await invalidRun(testRun({
      workload: "lin-kv",
      bin: "test/workbench/fixtures/crashing-local-node.sh",
      nodeCount: 3,
      concurrency: "2n",
      rate: 100,
      timeLimit: 4,
      seed: 1
    }))
    expect(results.linearizability.keys.some((key) => key.verdict === "invalid" && key.explanation !== undefined)).toBe(true)
    expect(results.crashes.length).toBe(1)
    expect(results.problems.some((problem) => problem.includes(`node ${results.crashes[0]!.node} crashed`))).toBe(true)
    expect(readFileSync(join(run.storeDir, "latest", "report.html"), "utf8")).toContain("Why the history is not linearizable")
  })

  it("judges the single-node KV valid, and reports misaddressed messages without failing", async () => {
    const run = await runWorkbench([
      "test",
      "-w",
      "lin-kv",
      "--bin",
      "test/workbench/fixtures/noisy-node.sh",
      "--node-count",
      "3",
      "--concurrency",
      "2n",
      "--rate",
      "100",
      "--time-limit",
      "4",
      "--latency",
      "5",
      "--latency-dist",
      "exponential",
      "--seed",
      "2"
    ])
    expect(run.stdout, `${run.stdout}\n${run.stderr.slice(-3000)}`).toContain("Everything looks good!")
    expect(run.exitCode).toBe(0)
    const results = run.results()
    expect(results.valid).toBe(true)
    expect(results.stats.ok).toBeGreaterThan(50)
    // Every node (n0, n1, n2, as Maelstrom names them) printed one message as n1 (a known src) to
    // the unknown n7, and one as the unknown x9 to n0.
    expect(results.network.unknownDest).toBe(3)
    expect(results.network.unknownSrc).toBe(3)
    expect(run.stdout).toContain("nodes printed 3 message(s) from an unknown src, 3 to an unknown dest")
    const history = readFileSync(join(run.storeDir, "latest", "history.jsonl"), "utf8").trim().split("\n")
    expect(history.length).toBe(results.stats.operations * 2 - results.stats.unfinished)
    for (const node of ["n0", "n1", "n2"]) expect(existsSync(join(run.storeDir, "latest", "node-logs", `${node}.log`))).toBe(true)
    // history.edn, in Jepsen's format, holds the same operations and reads back valid.
    const edn = readFileSync(join(run.storeDir, "latest", "history.edn"), "utf8").trim().split("\n")
    expect(edn.length).toBe(history.length)
    const check = spawnSync(process.execPath, [join(repoRoot, "dist/checker/cli.js"), join(run.storeDir, "latest", "history.edn")], {
      encoding: "utf8"
    })
    expect(check.stdout).toContain(`${history.length} history lines`)
    expect(check.stdout).toContain("Verdict: valid")
    expect(check.status).toBe(0)
  })

  it("routes a message a node sends in a client's name, as Maelstrom does", async () => {
    const run = await runWorkbench(testRun({
      bin: "test/workbench/fixtures/forwarding-node.mjs",
      nodeCount: 3,
      concurrency: "6",
      rate: 60,
      timeLimit: 2
    }))
    expect(run.stdout, `${run.stdout}\n${run.stderr.slice(-3000)}`).toContain("Everything looks good!")
    const results = run.results()
    // Every request to n1 or n2 reached n0 and was answered: none timed out.
    expect(results.stats.info).toBe(0)
    expect(results.stats.ok).toBeGreaterThan(30)
    expect(results.network.unknownSrc).toBe(0)
    expect(results.network.clientToNode).toBeGreaterThan(results.stats.operations)
  })

  it("judges our Raft node valid under partitions", async () => {
    const run = await runWorkbench(testRun({
      workload: "lin-kv",
      bin: "bin/raft",
      nodeCount: 3,
      concurrency: "2n",
      rate: 100,
      timeLimit: 6,
      nemesis: "partition",
      nemesisInterval: 1.5,
      seed: 3
    }))
    expect(run.stdout, `${run.stdout}\n${run.stderr.slice(-3000)}`).toContain("Everything looks good!")
    expect(run.exitCode).toBe(0)
    const results = run.results()
    expect(results.faults.filter((fault) => fault.kind === "partition").length).toBeGreaterThan(0)
    expect(results.network.cutByPartition).toBeGreaterThan(0)
    expect(results.stats.ok).toBeGreaterThan(50)
    expect(results.crashes).toEqual([])
  })

  it("finds lost writes when a node that keeps its state in memory only is killed and restarted", async () => {
    // Seed 8's kill schedule (a stream of its own, so the clients do not move it): a kill at about 0.7 s,
    // a restart 0.3 s later, the next kill 1.6 s after the node is back, past the end of the test. Every
    // key has had writes acknowledged by the kill, and five readers read it after the restart.
    const { run, results } = await invalidRun(testRun({
      bin: "test/workbench/fixtures/memory-kv-node.mjs",
      concurrency: "10",
      rate: 100,
      timeLimit: 4,
      nemesis: "kill",
      nemesisInterval: 1,
      seed: 8
    }))
    const kills = results.faults.filter((fault) => fault.kind === "kill")
    expect(kills.length).toBeGreaterThan(0)
    expect(kills[0]).toMatchObject({ description: "n0 killed", nodes: ["n0"] })
    // The nemesis killed it: no crash.
    expect(results.crashes).toEqual([])
    const lostWrite = results.linearizability.keys.find((key) => key.verdict === "invalid")?.explanation
    expect(lostWrite?.failedOperation).toMatchObject({ f: "read", value: null, outcome: "ok" })
    expect(lostWrite!.possibleStates).not.toContain(null)
    expect(run.stdout).toContain("  faults: 1 kill\n")
  })

  it("judges our Raft node valid under kills and pauses with --data-dir, its log kept in one directory for all nodes", async () => {
    const run = await runWorkbench(testRun({
      bin: "bin/raft",
      nodeCount: 3,
      concurrency: "2n",
      rate: 50,
      timeLimit: 6,
      nemesis: "kill,pause",
      nemesisInterval: 1,
      seed: 10,
      nodeArgs: ["--data-dir", "data"]
    }))
    expect(run.stdout, `${run.stdout}\n${run.stderr.slice(-3000)}`).toContain("Everything looks good!")
    const results = run.results()
    const kills = results.faults.filter((fault) => fault.kind === "kill")
    expect(kills.length).toBeGreaterThan(0)
    expect(results.faults.some((fault) => fault.kind === "pause")).toBe(true)
    expect(results.crashes).toEqual([])
    // A restarted node starts with the arguments it was first given, and reads back the log it wrote.
    const killed = readFileSync(join(run.storeDir, "latest", "node-logs", `${kills[0]!.nodes[0]}.log`), "utf8")
    expect(killed.match(/initialized as n\d/g)?.length).toBeGreaterThan(1)
    expect(killed).toMatch(/starting in term [1-9]\d* with \d+ log entries/)
    for (const plot of ["latency.svg", "rate.svg"]) {
      const svg = readFileSync(join(run.storeDir, "latest", plot), "utf8")
      expect(svg).toContain(`fill="${faultColors.kill}" fill-opacity="0.15"><title>${kills[0]!.description}</title>`)
      expect(svg).toContain(">pause</text>")
    }
  })

  it("lists each crashed node with its exit code or signal and its last stderr lines, and stops when no node is left", async () => {
    const { run, results } = await invalidRun(testRun({
      bin: "test/workbench/fixtures/dying-node.mjs",
      nodeCount: 2,
      concurrency: "4",
      rate: 50,
      timeLimit: 60
    }))
    const crashes = [...results.crashes].sort((a, b) => a.node.localeCompare(b.node))
    expect(crashes.map(({ code, node, signal }) => ({ node, code, signal }))).toEqual([
      { node: "n0", code: 3, signal: null },
      { node: "n1", code: null, signal: "SIGKILL" }
    ])
    for (const crash of crashes) {
      expect(crash.stderrTail.at(-1)).toBe(`${crash.node}: panic: the deliberately broken node gives up`)
      expect(run.stdout).toContain(`    | ${crash.node}: panic: the deliberately broken node gives up`)
    }
    expect(results.end.reason).toBe("no node left")
    expect(results.end.atMs).toBeLessThan(60_000)
    expect(results.problems[0]).toMatch(/^every node had crashed at [\d.]+ s: the test stopped early/)
    // Crashes come first in the summary, before the numbers, each once.
    expect(run.stdout.split("\n")[1]).toMatch(/^ {2}CRASH: node n[01] crashed at/)
    for (const crash of crashes) expect(run.stdout.split(`node ${crash.node} crashed at`).length).toBe(2)
    expect(results.stats.operations).toBeGreaterThan(0)
  })

  it("saves the partial history and results on Ctrl-C, and says the test was interrupted", async () => {
    const run = await runWorkbench(
      ["test", "--bin", "bin/reference-single-kv", "--concurrency", "4", "--rate", "50", "--time-limit", "60"],
      { after: "ops 0 ok 0", signal: "SIGINT" }
    )
    expect(run.exitCode, run.stderr.slice(-3000)).toBe(130)
    expect(run.stdout).toContain("Test interrupted (SIGINT): what it recorded is saved, and is no verdict.")
    expect(run.stdout).not.toContain("Everything looks good!")
    const results = run.results()
    expect(results.valid).toBe(false)
    expect(results.end).toMatchObject({ reason: "interrupted", signal: "SIGINT" })
    expect(results.problems[0]).toMatch(/^interrupted by SIGINT at [\d.]+ s: the test stopped early; its history and results are partial$/)
    const history = readFileSync(join(run.storeDir, "latest", "history.jsonl"), "utf8").trim().split("\n")
    expect(results.stats.ok).toBeGreaterThan(0)
    expect(history.length).toBe(results.stats.operations * 2 - results.stats.unfinished)
    expect(readFileSync(join(run.storeDir, "latest", "report.html"), "utf8")).toContain("Test interrupted (SIGINT)")
  })

  it("finds a test invalid when an operation kind never succeeded, as Maelstrom's stats checker does", async () => {
    const { run, results } = await invalidRun(testRun({
      bin: "test/workbench/fixtures/unavailable-node.mjs",
      nodeCount: 1,
      rate: 50,
      timeLimit: 1
    }))
    expect(results.linearizability.verdict).toBe("valid")
    expect(results.problems).toContain(`no write ever succeeded (${results.stats.byFunction.write.fail} fail, 0 info)`)
    expect(run.stdout).toContain("no write ever succeeded")
  })

  it("finds a test invalid when fewer operations are ok than --availability asks", async () => {
    // The single-node KV fails every cas on a key never written (error 20): not every operation is ok.
    const node = ["test", "--bin", "bin/reference-single-kv", "--concurrency", "4", "--rate", "100", "--time-limit", "1"]
    const total = await runWorkbench([...node, "--availability", "total"])
    expect(total.exitCode, total.stderr.slice(-3000)).toBe(1)
    const results = total.results()
    expect(results.stats.fail).toBeGreaterThan(0)
    expect(results.test.availability).toBe(1)
    expect(results.problems.some((problem) => problem.includes("is below the required 100.0% (--availability)"))).toBe(true)
    const lenient = await runWorkbench([...node, "--availability", "0.1"])
    expect(lenient.stdout, lenient.stderr.slice(-3000)).toContain("Everything looks good!")
    const bad = await runWorkbench([...node, "--availability", "2"])
    expect(bad.exitCode).toBe(2)
    expect(bad.stderr).toContain("--availability \"2\": expected total or a fraction from 0 to 1")
  })

  it("fails the test when a node prints a line that is no message on stdout, showing the line", async () => {
    const { run, results } = await invalidRun(testRun({
      bin: "test/workbench/fixtures/stdout-logging-node.sh",
      nodeCount: 2,
      rate: 20,
      timeLimit: 2
    }))
    expect(results.network.stdoutCutOff.map((cut) => cut.line)).toEqual(["debug: initialized", "debug: initialized"])
    const problem = results.problems.find((p) => p.startsWith(`node ${results.network.stdoutCutOff[0]!.node} printed a line on stdout`))
    expect(problem).toContain("\"debug: initialized\"")
    expect(problem).toContain("print logs on stderr")
    expect(run.stdout).toContain(problem)
  })

  it("accepts error replies without text, and reports malformed replies with a sample and the expected shape", async () => {
    const run = await runWorkbench(testRun({
      bin: "test/workbench/fixtures/terse-node.mjs",
      concurrency: "4",
      rate: 100,
      timeLimit: 1
    }))
    expect(run.stdout, run.stderr.slice(-3000)).toContain("Everything looks good!")
    const history = readFileSync(join(run.storeDir, "latest", "history.jsonl"), "utf8").trim().split("\n").map((line) => JSON.parse(line))
    expect(history.some((op) => op.error?.code === 20 && op.error.text === "")).toBe(true)
    const { malformedReplies } = run.results()
    // Every 10th request of about 100 (init included) gets a malformed reply.
    expect(malformedReplies.count).toBeGreaterThanOrEqual(5)
    expect(malformedReplies.sample?.body).toContain("\"code\":\"busy\"")
    expect(malformedReplies.expected).toContain("\"text\"?: STRING")
    expect(run.stdout).toContain(`WARNING: ${malformedReplies.count} malformed replies (recorded as error 13), the first from n0:`)
    expect(run.stdout).toContain("expected {\"type\": \"read_ok\"")
    expect(readFileSync(join(run.storeDir, "latest", "report.html"), "utf8")).toContain(
      "the first, from n0: {&quot;type&quot;:&quot;error&quot;"
    )
  })

  it("aborts, naming the node, when a node does not answer init within 10 s", async () => {
    const run = await runWorkbench(testRun({
      workload: "lin-kv",
      bin: "test/workbench/fixtures/silent-node.sh",
      nodeCount: 1,
      timeLimit: 2
    }))
    expect(run.exitCode).toBe(2)
    expect(`${run.stdout}${run.stderr}`).toContain("n0 did not answer init within 10 s")
  }, 30_000)

  it("aborts, showing the line, when a node prints something else than a message on stdout before init_ok", async () => {
    const run = await runWorkbench(["test", "--bin", "test/workbench/fixtures/early-debug-node.sh", "--time-limit", "2"])
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain("n0 did not answer init within 10 s")
    expect(run.stderr).toContain("not a JSON message: \"starting up, this debug print should have gone to stderr\"; print logs on stderr")
  }, 30_000)

  it("refuses bad input with a clear message and exit code 2, before starting anything", async () => {
    const unknownWorkload = await runWorkbench(["test", "-w", "echo", "--bin", "bin/reference-single-kv"])
    expect(unknownWorkload.exitCode).toBe(2)
    expect(unknownWorkload.stderr).toContain("unknown workload")
    const missing = await runWorkbench(["test", "-w", "lin-kv", "--bin", "no/such/node"])
    expect(missing.exitCode).toBe(2)
    expect(missing.stderr).toContain("no such file")
    const notExecutable = await runWorkbench(["test", "-w", "lin-kv", "--bin", join(repoRoot, "package.json")])
    expect(notExecutable.exitCode).toBe(2)
    expect(notExecutable.stderr).toContain("not executable")
  })

  it("refuses misspelt options and bad values, naming them, with exit code 2", async () => {
    const node = ["test", "-w", "lin-kv", "--bin", "bin/reference-single-kv"]
    const typo = await runWorkbench([...node, "--node-cont", "3", "--time-limt", "3"])
    expect(typo.exitCode).toBe(2)
    expect(typo.stderr).toContain("--node-cont")
    const rate = await runWorkbench([...node, "--rate", "abc"])
    expect(rate.exitCode).toBe(2)
    expect(rate.stderr).toContain("--rate \"abc\": expected a positive number")
    const distribution = await runWorkbench([...node, "--latency-dist", "nonsense"])
    expect(distribution.exitCode).toBe(2)
    expect(distribution.stderr).toContain("--latency-dist \"nonsense\": expected one of constant, uniform, exponential")
    const fault = await runWorkbench([...node, "--nemesis", "partition,crash"])
    expect(fault.exitCode).toBe(2)
    expect(fault.stderr).toContain("--nemesis \"partition,crash\": unknown fault \"crash\"; the faults are partition, kill, pause")
    expect(`${typo.stderr}${rate.stderr}${distribution.stderr}${fault.stderr}`).not.toContain("[object Object]")
  })

  it("passes the words after the options, or after --, to the node, and shows every default in --help", async () => {
    const node = ["test", "--bin", "test/workbench/fixtures/node-with-arguments.sh", "--time-limit", "1", "--rate", "20"]
    for (const args of [[...node, "kv", "--quiet"], [...node, "--", "kv", "--quiet"]]) {
      // The fixture exits before init unless it got exactly these arguments; ok operations show it ran.
      const run = await runWorkbench(args)
      expect(run.results().stats.ok, run.stderr.slice(-3000)).toBeGreaterThan(0)
      expect(run.results().test.binArgs).toEqual(["kv", "--quiet"])
    }
    // Without them it exits before init: the error shows its stderr.
    const refused = await runWorkbench(node)
    expect(refused.exitCode).toBe(2)
    expect(refused.stderr).toContain("n0 exited (code 3, signal null) before answering init; the last 1 line(s) of its stderr")
    expect(refused.stderr).toContain("    | unexpected arguments: \n")
    const help = spawnSync(process.execPath, [join(repoRoot, "dist/workbench/main.js"), "test", "--help"], { encoding: "utf8" })
    for (const shown of ["(default: lin-kv)", "(default: 1n)", "(default: 5)", "(default: constant)", "(default: store)"]) {
      expect(help.stdout).toContain(shown)
    }
  })
})
