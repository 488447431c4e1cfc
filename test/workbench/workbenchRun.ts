import { execFile } from "node:child_process"
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import type { Results } from "../../workbench/results.js"

export const repoRoot = resolve(import.meta.dirname, "../..")

export interface WorkbenchRun {
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
  readonly storeDir: string
  /** results.json of the latest test, when one was written. */
  readonly results: () => Results
}

/**
 * Sends the workbench a signal a second after its stderr first shows `after`,
 * twice in a row as a Ctrl-C under `npm run` arrives (from the terminal, and passed on by npm).
 */
export interface SignalWhen {
  readonly after: string
  readonly signal: NodeJS.Signals
}

/**
 * Runs the compiled workbench (`npm run build` first) as a user would, with its
 * own store folder, given right after the subcommand: words after the options are the node's.
 */
export const runWorkbench = (args: ReadonlyArray<string>, signalWhen?: SignalWhen): Promise<WorkbenchRun> => {
  const storeDir = mkdtempSync(join(tmpdir(), "workbench-test-store-"))
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      [join(repoRoot, "dist/workbench/main.js"), ...args.slice(0, 1), "--store", storeDir, ...args.slice(1)],
      { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        done({
          exitCode: error === null ? 0 : typeof error.code === "number" ? error.code : -1,
          stdout,
          stderr,
          storeDir,
          results: () => JSON.parse(readFileSync(join(storeDir, "latest", "results.json"), "utf8")) as Results
        })
    )
    if (signalWhen !== undefined) {
      let stderr = ""
      const watch = (chunk: Buffer | string) => {
        stderr += chunk.toString()
        if (!stderr.includes(signalWhen.after)) return
        child.stderr?.off("data", watch)
        setTimeout(() => child.kill(signalWhen.signal), 1000)
        setTimeout(() => child.kill(signalWhen.signal), 1020)
      }
      child.stderr?.on("data", watch)
    }
  })
}

/** The options of a workbench `test` run that the end-to-end tests vary. */
export interface TestRunOptions {
  readonly workload?: string
  readonly bin: string
  readonly nodeCount?: number
  readonly concurrency?: string
  readonly rate?: number
  readonly timeLimit: number
  readonly nemesis?: string
  readonly nemesisInterval?: number
  readonly killSignal?: string
  readonly seed?: number
  /** The node's own arguments, after `--`. */
  readonly nodeArgs?: ReadonlyArray<string>
}

/** The command line of a workbench `test` run, in the order a user would type it. */
export const testRun = (options: TestRunOptions): Array<string> => {
  const flag = (name: string, value: string | number | undefined) => value === undefined ? [] : [name, String(value)]
  return [
    "test",
    ...flag("-w", options.workload),
    ...flag("--bin", options.bin),
    ...flag("--node-count", options.nodeCount),
    ...flag("--concurrency", options.concurrency),
    ...flag("--rate", options.rate),
    ...flag("--time-limit", options.timeLimit),
    ...flag("--nemesis", options.nemesis),
    ...flag("--nemesis-interval", options.nemesisInterval),
    ...flag("--kill-signal", options.killSignal),
    ...flag("--seed", options.seed),
    ...(options.nodeArgs === undefined ? [] : ["--", ...options.nodeArgs])
  ]
}
