/**
 * How cost grows: the saturated no-fault lin-kv load of bench/perf/loadRun.mjs
 * (this tree's build under its own workbench, a fixed concurrency, an
 * unreachable rate, the nodes' CPU from /proc), run again and again over
 * three sweeps: the concurrency on 3 nodes, the cluster's size at one
 * concurrency, and the size of the values written (the workbench's
 * `--value-bytes`) on 3 nodes at that concurrency. One load at a time.
 * Each round runs every setting of a sweep, in ascending order in odd
 * rounds and descending in even ones, so that a machine growing busier or
 * quieter over the record does not lean the curve one way.
 *
 * Prints a line per run. Writes into the output directory (bench/perf/scaling
 * by default): results.json (every run, rewritten after each, so an
 * interrupted record keeps what it measured), and at the end record.md (the
 * command, the date, the machine, the load average, a table per sweep of the
 * medians over the rounds and one of every run) and an SVG per sweep and
 * measure: ok operations per second, p50 latency and the nodes' CPU per ok
 * operation against the swept setting (workbench/plots.ts's sweep plot).
 *
 * Usage: npm run build && node dist/bench/perf/scaling.js [--seconds S] [--rounds R] [--out DIR]
 *   [--concurrencies 5,10,20,50,100,200] [--node-counts 1,3,5,7] [--value-bytes 10,100,1024,8192,65536]
 *   [--concurrency 50] [--sweeps concurrency,nodes,values] [--replot]
 * (defaults shown; S 20, R 3. --concurrency: the one the cluster-size and
 * value-size sweeps run at. --replot: run nothing; draw record.md and the
 * SVGs again from DIR/results.json.)
 */
import { execFileSync, spawn } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { cpus } from "node:os"
import { join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { median, type SweepPoint, sweepPlot } from "../../workbench/plots.js"

/** The repository's root, from this file's place in dist/bench/perf/. */
const root = fileURLToPath(new URL("../../..", import.meta.url))

const sweepNames = ["concurrency", "nodes", "values"] as const
type SweepName = (typeof sweepNames)[number]

/** What one run of loadRun.mjs printed, the fields this record uses. */
interface LoadResult {
  readonly valid: boolean
  readonly nodes: number
  readonly ok: number
  /** Operations that failed for sure, and those whose outcome is unknown (most often a client timeout). */
  readonly fail: number
  readonly info: number
  readonly okPerSecond: number
  readonly p50: number | null
  readonly p99: number | null
  readonly nodeCpuMs: number
  readonly nodeCpuUsPerOk: number | null
  readonly workbenchCpuMs: number
}

interface Run {
  readonly sweep: SweepName
  readonly round: number
  /** The swept setting's value: the concurrency, the node count or the value size in bytes. */
  readonly setting: number
  readonly concurrency: number
  readonly nodeCount: number
  /** Null: the workbench wrote the integers 0 to 4. */
  readonly valueBytes: number | null
  /** The 1-minute load average just before the run. */
  readonly loadBefore: number
  readonly wallSeconds: number
  /** Absent when the run failed (then `failure` says why). */
  readonly result?: LoadResult
  readonly failure?: string
}

interface ScalingRecord {
  readonly command: string
  readonly startedAt: string
  finishedAt: string | null
  readonly commit: string
  readonly cores: number
  readonly cpuModel: string
  readonly nodeVersion: string
  readonly secondsPerRun: number
  readonly rounds: number
  /** The concurrency of the cluster-size and value-size sweeps. */
  readonly concurrency: number
  readonly sweeps: ReadonlyArray<{ readonly name: SweepName; readonly settings: ReadonlyArray<number> }>
  readonly runs: Array<Run>
}

const usage = "usage: node dist/bench/perf/scaling.js [--seconds S] [--rounds R] [--out DIR] [--concurrencies LIST] " +
  "[--node-counts LIST] [--value-bytes LIST] [--concurrency C] [--sweeps concurrency,nodes,values] [--replot]"

class UsageError extends Error {}

const positiveInteger = (flag: string, text: string | undefined): number => {
  if (text === undefined || !/^[1-9]\d*$/.test(text))
    throw new UsageError(`${flag} ${JSON.stringify(text ?? "")}: expected a positive integer`)
  return Number(text)
}

const integerList = (flag: string, text: string | undefined): ReadonlyArray<number> => {
  const values = (text ?? "").split(",").map((item) => positiveInteger(flag, item.trim()))
  if (new Set(values).size !== values.length) throw new UsageError(`${flag} ${JSON.stringify(text)}: a setting named twice`)
  return [...values].sort((a, b) => a - b)
}

const parseArguments = (argv: ReadonlyArray<string>) => {
  const options = {
    seconds: 20,
    rounds: 3,
    out: join(root, "bench/perf/scaling"),
    concurrencies: [5, 10, 20, 50, 100, 200] as ReadonlyArray<number>,
    nodeCounts: [1, 3, 5, 7] as ReadonlyArray<number>,
    valueBytes: [10, 100, 1024, 8192, 65536] as ReadonlyArray<number>,
    concurrency: 50,
    sweeps: sweepNames as ReadonlyArray<SweepName>,
    replot: false
  }
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!
    const value = () => argv[++i]
    switch (flag) {
      case "--seconds":
        options.seconds = positiveInteger(flag, value())
        break
      case "--rounds":
        options.rounds = positiveInteger(flag, value())
        break
      case "--out": {
        const out = value()
        if (out === undefined || out === "") throw new UsageError("--out needs a directory")
        options.out = resolve(out)
        break
      }
      case "--concurrencies":
        options.concurrencies = integerList(flag, value())
        break
      case "--node-counts":
        options.nodeCounts = integerList(flag, value())
        break
      case "--value-bytes":
        options.valueBytes = integerList(flag, value())
        break
      case "--concurrency":
        options.concurrency = positiveInteger(flag, value())
        break
      case "--sweeps": {
        const text = value() ?? ""
        const names = text.split(",").map((name) => name.trim())
        const unknown = names.filter((name) => !(sweepNames as ReadonlyArray<string>).includes(name))
        if (unknown.length > 0) {
          throw new UsageError(
            `--sweeps ${JSON.stringify(text)}: unknown sweep ${unknown.join(", ")}; the sweeps are ${sweepNames.join(", ")}`
          )
        }
        options.sweeps = sweepNames.filter((name) => names.includes(name))
        break
      }
      case "--replot":
        options.replot = true
        break
      default:
        throw new UsageError(`unknown argument ${JSON.stringify(flag)}`)
    }
  }
  return options
}
type Options = ReturnType<typeof parseArguments>

/** What each sweep varies, and how it is named in the tables and plots. */
const sweepOf: {
  readonly [name in SweepName]: {
    readonly title: string
    readonly setting: string
    readonly scale: "linear" | "log"
    readonly label: (setting: number) => string
  }
} = {
  concurrency: { title: "concurrency, 3 nodes", setting: "concurrency (client processes)", scale: "log", label: String },
  nodes: { title: "cluster size", setting: "nodes", scale: "linear", label: String },
  values: {
    title: "value size, 3 nodes",
    setting: "value size (bytes of each string written)",
    scale: "log",
    label: (bytes) =>
      bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0
        ? `${bytes / (1024 * 1024)} MiB`
        : bytes >= 1024 && bytes % 1024 === 0
        ? `${bytes / 1024} KiB`
        : `${bytes} B`
  }
}

/** The runs of one setting of a sweep: its concurrency, node count and value size. */
const shapeOf = (options: Options, sweep: SweepName, setting: number) =>
  sweep === "concurrency"
    ? { concurrency: setting, nodeCount: 3, valueBytes: null }
    : sweep === "nodes"
    ? { concurrency: options.concurrency, nodeCount: setting, valueBytes: null }
    : { concurrency: options.concurrency, nodeCount: 3, valueBytes: setting }

const settingsOf = (options: Options, sweep: SweepName) =>
  sweep === "concurrency" ? options.concurrencies : sweep === "nodes" ? options.nodeCounts : options.valueBytes

const loadAverage = () => Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0])

/** The commit of this tree, and whether it has changes not committed. */
const commitOf = () => {
  const git = (...args: ReadonlyArray<string>) => execFileSync("git", ["-C", root, ...args], { encoding: "utf8" }).trim()
  try {
    return `${git("rev-parse", "--short", "HEAD")}${
      git("status", "--porcelain", "--untracked-files=no") === "" ? "" : " with uncommitted changes"
    }`
  } catch {
    return "unknown (not a git work tree)"
  }
}

/** One load, by loadRun.mjs: its JSON line, or why there is none. */
const loadRun = (shape: ReturnType<typeof shapeOf>, seconds: number) =>
  new Promise<{ readonly result?: LoadResult; readonly failure?: string }>((done) => {
    const args = [join(root, "bench/perf/loadRun.mjs"), root, String(shape.concurrency), String(seconds), "--node-count",
      String(shape.nodeCount)]
    if (shape.valueBytes !== null) args.push("--value-bytes", String(shape.valueBytes))
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    let err = ""
    child.stdout.on("data", (chunk) => (out += chunk))
    child.stderr.on("data", (chunk) => (err += chunk))
    child.on("error", (error) => done({ failure: `loadRun.mjs did not start: ${error.message}` }))
    child.on("close", (code) => {
      if (code !== 0) return done({ failure: `loadRun.mjs exited with ${code}: ${err.trim().split("\n").slice(-3).join(" / ")}` })
      try {
        const { nodeStats: _nodeStats, ...result } = JSON.parse(out) as LoadResult & { readonly nodeStats?: unknown }
        done({ result })
      } catch {
        done({ failure: `loadRun.mjs printed no JSON line: ${out.slice(0, 200)}` })
      }
    })
  })

/** The measures drawn and tabled, from one run's result. */
const measures = {
  okPerSecond: (r: LoadResult) => r.okPerSecond,
  p50: (r: LoadResult) => r.p50,
  p99: (r: LoadResult) => r.p99,
  nodeCpuUsPerOk: (r: LoadResult) => r.nodeCpuUsPerOk,
  workbenchCpuUsPerOk: (r: LoadResult) => (r.ok > 0 ? (r.workbenchCpuMs * 1000) / r.ok : null)
} as const
type Measure = keyof typeof measures

const valuesOf = (runs: ReadonlyArray<Run>, measure: Measure): ReadonlyArray<number> =>
  runs.flatMap((run) => {
    const value = run.result === undefined ? null : measures[measure](run.result)
    return value === null || !Number.isFinite(value) ? [] : [value]
  })

const number = (value: number | null, digits: number) => (value === null || Number.isNaN(value) ? "?" : value.toFixed(digits))

const secondsText = (seconds: number) =>
  seconds < 90 ? `${Math.round(seconds)} s` : `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`

/** The plots of one sweep: file name, title and measure. */
const plotsOf = (sweep: SweepName) =>
  [
    { file: `${sweep}-throughput.svg`, title: "Throughput", measure: "okPerSecond", axis: "ok operations per second" },
    { file: `${sweep}-p50.svg`, title: "Median latency", measure: "p50", axis: "p50 latency of ok operations (ms)" },
    { file: `${sweep}-cpu.svg`, title: "Node CPU per operation", measure: "nodeCpuUsPerOk", axis: "CPU of all nodes per ok operation (µs)" }
  ] as const

const recordMarkdown = (record: ScalingRecord): string => {
  const loads = record.runs.map((run) => run.loadBefore)
  const lines = [
    "# How cost grows: the record",
    "",
    `Written by \`${record.command}\` (from ${record.startedAt} to ${record.finishedAt ?? "unfinished"}), commit ${record.commit}, ` +
    `${record.cores} cores (${record.cpuModel}), Node ${record.nodeVersion}. Each run: bench/perf/loadRun.mjs, ` +
    `${record.secondsPerRun} s of client operations, no faults, nodes in memory; ${record.rounds} round(s) per setting. ` +
    `The 1-minute load average before each run: ${number(Math.min(...loads), 2)} to ${number(Math.max(...loads), 2)}, ` +
    `median ${number(median(loads), 2)}.`,
    "",
    "The tables give the median over a setting's rounds (runs that failed left out); " +
    "CPU is user + system time from /proc over the client phase, per ok operation.",
    ""
  ]
  for (const { name, settings } of record.sweeps) {
    const sweep = sweepOf[name]
    const runs = record.runs.filter((run) => run.sweep === name)
    lines.push(
      `## ${sweep.title[0]!.toUpperCase()}${sweep.title.slice(1)}`,
      "",
      name === "concurrency" ? "3 nodes, the integers 0 to 4 written." : name === "nodes"
        ? `Concurrency ${record.concurrency}, the integers 0 to 4 written.`
        : `3 nodes, concurrency ${record.concurrency}, strings of the size written (\`--value-bytes\`).`,
      "",
      ...plotsOf(name).map((plot) => `![${plot.title} against ${sweep.setting}](${plot.file})`),
      "",
      `| ${sweep.setting} | runs (valid) | ok/s | p50 ms | p99 ms | node CPU µs/ok | workbench CPU µs/ok | load before |`,
      "|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    for (const setting of settings) {
      const here = runs.filter((run) => run.setting === setting)
      const measured = here.filter((run) => run.result !== undefined)
      const cell = (measure: Measure, digits: number) => number(median(valuesOf(here, measure)), digits)
      lines.push(
        `| ${sweep.label(setting)} | ${measured.length} of ${here.length} (${measured.filter((run) => run.result!.valid).length}) | ` +
          `${cell("okPerSecond", 1)} | ${cell("p50", 2)} | ${cell("p99", 2)} | ${cell("nodeCpuUsPerOk", 0)} | ` +
          `${cell("workbenchCpuUsPerOk", 0)} | ${number(median(here.map((run) => run.loadBefore)), 2)} |`
      )
    }
    lines.push("")
  }
  lines.push(
    "## Every run",
    "",
    "| sweep | round | concurrency | nodes | value bytes | valid | ok | fail | info | ok/s | p50 ms | p99 ms | node CPU µs/ok | workbench CPU µs/ok | load before | wall s |",
    "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  )
  for (const run of record.runs) {
    const r = run.result
    const head = `| ${run.sweep} | ${run.round} | ${run.concurrency} | ${run.nodeCount} | ${run.valueBytes ?? "integers"} |`
    const tail = `${number(run.loadBefore, 2)} | ${number(run.wallSeconds, 1)} |`
    lines.push(
      r === undefined
        ? `${head} failed: ${(run.failure ?? "").replace(/\|/g, "\\|")} | | | | | | | | | ${tail}`
        : `${head} ${r.valid} | ${r.ok} | ${r.fail} | ${r.info} | ${number(r.okPerSecond, 1)} | ${number(r.p50, 2)} | ${
          number(r.p99, 2)
        } | ` +
          `${number(r.nodeCpuUsPerOk, 0)} | ${number(measures.workbenchCpuUsPerOk(r), 0)} | ${tail}`
    )
  }
  return `${lines.join("\n")}\n`
}

/** record.md and the SVGs, from the record so far. */
const draw = (record: ScalingRecord, out: string) => {
  for (const { name, settings } of record.sweeps) {
    const sweep = sweepOf[name]
    const runs = record.runs.filter((run) => run.sweep === name)
    for (const plot of plotsOf(name)) {
      const points: ReadonlyArray<SweepPoint> = settings.map((setting) => ({
        setting,
        values: valuesOf(runs.filter((run) => run.setting === setting), plot.measure)
      }))
      writeFileSync(
        join(out, plot.file),
        sweepPlot({
          title: `${plot.title} against ${sweep.title}`,
          settingLabel: sweep.setting,
          measureLabel: plot.axis,
          scale: sweep.scale,
          points,
          label: sweep.label
        })
      )
    }
  }
  writeFileSync(join(out, "record.md"), recordMarkdown(record))
}

const measureRecord = async (options: Options, command: string): Promise<ScalingRecord> => {
  for (const needed of ["dist/workbench/main.js", "dist/raft.mjs", "bench/perf/loadRun.mjs"]) {
    if (!existsSync(join(root, needed))) throw new UsageError(`${join(root, needed)} is missing: run npm run build first`)
  }
  const record: ScalingRecord = {
    command,
    startedAt: new Date().toISOString(),
    finishedAt: null,
    commit: commitOf(),
    cores: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? "unknown",
    nodeVersion: process.version,
    secondsPerRun: options.seconds,
    rounds: options.rounds,
    concurrency: options.concurrency,
    sweeps: options.sweeps.map((name) => ({ name, settings: settingsOf(options, name) })),
    runs: []
  }
  const total = record.sweeps.reduce((sum, sweep) => sum + sweep.settings.length, 0) * options.rounds
  console.log(`${total} run${total === 1 ? "" : "s"} of ${options.seconds} s, one at a time, into ${shown(options.out)}`)
  const started = Date.now()
  for (const { name, settings } of record.sweeps) {
    for (let round = 1; round <= options.rounds; round++) {
      for (const setting of round % 2 === 1 ? settings : [...settings].reverse()) {
        const shape = shapeOf(options, name, setting)
        const loadBefore = loadAverage()
        const runStarted = Date.now()
        const outcome = await loadRun(shape, options.seconds)
        const run: Run = { sweep: name, round, setting, ...shape, loadBefore, wallSeconds: (Date.now() - runStarted) / 1000, ...outcome }
        record.runs.push(run)
        writeFileSync(join(options.out, "results.json"), `${JSON.stringify(record, null, 2)}\n`)
        const done = record.runs.length
        const elapsed = (Date.now() - started) / 1000
        const r = run.result
        console.log(
          `[${done}/${total}] ${name}, round ${round}: concurrency ${shape.concurrency}, ${shape.nodeCount} node${
            shape.nodeCount === 1 ? "" : "s"
          }, ` +
            `${shape.valueBytes === null ? "integers" : sweepOf.values.label(shape.valueBytes)}: ` +
            (r === undefined
              ? `FAILED: ${run.failure}`
              : `${number(r.okPerSecond, 1)} ok/s, p50 ${number(r.p50, 2)} ms, p99 ${number(r.p99, 2)} ms, ` +
                `node CPU ${number(r.nodeCpuUsPerOk, 0)} µs/ok${r.info > 0 ? `, ${r.info} info` : ""}${r.valid ? "" : ", NOT VALID"}`) +
            ` (load ${loadBefore.toFixed(2)}; ${secondsText(elapsed)} so far, about ${secondsText((elapsed / done) * (total - done))} left)`
        )
      }
    }
  }
  record.finishedAt = new Date().toISOString()
  writeFileSync(join(options.out, "results.json"), `${JSON.stringify(record, null, 2)}\n`)
  return record
}

/** A path as the user can find it: relative to the working directory when under it. */
const shown = (path: string) => {
  const fromHere = relative(process.cwd(), path)
  return fromHere === "" ? "." : fromHere.startsWith("..") ? path : fromHere
}

const main = async () => {
  const argv = process.argv.slice(2)
  const options = parseArguments(argv)
  const command = ["node dist/bench/perf/scaling.js", ...argv].join(" ")
  mkdirSync(options.out, { recursive: true })
  const record = options.replot
    ? (JSON.parse(readFileSync(join(options.out, "results.json"), "utf8")) as ScalingRecord)
    : await measureRecord(options, command)
  draw(record, options.out)
  const failed = record.runs.filter((run) => run.result === undefined).length
  const invalid = record.runs.filter((run) => run.result !== undefined && !run.result.valid).length
  console.log(`record.md and ${record.sweeps.length * 3} plots written to ${shown(options.out)}` +
    (failed + invalid > 0 ? `; ${failed} run(s) failed, ${invalid} not valid` : ""))
  return failed + invalid > 0 ? 1 : 0
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(error instanceof UsageError ? `${error.message}\n${usage}` : error)
    process.exitCode = 2
  }
)
