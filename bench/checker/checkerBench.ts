/**
 * Checker benchmark: check time and peak memory (max RSS of a fresh process
 * per case) for generated lin-kv histories, the hard single-key case, and
 * Knossos' cas-register test data. Prints a markdown table.
 *
 *   npm run build && node dist/bench/checker/checkerBench.js
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { checkHistory } from "../../checker/check.js"
import { parseHistoryText } from "../../checker/formats/load.js"
import type { HistoryOp } from "../../checker/history.js"
import { generateHistory, type GeneratorConfig } from "./generateHistory.js"

interface Case {
  readonly name: string
  readonly config?: GeneratorConfig
  /** Changes one ok read in the middle to another value 0..4, so that its key is invalid. */
  readonly corrupt?: true
  readonly knossos?: true
  readonly timeLimitMs?: number
}

const linKv = (operations: number): GeneratorConfig => ({
  seed: 1,
  operations,
  groups: 5,
  clientsPerGroup: 2,
  opsPerKey: 100,
  infoRate: 0.05,
  valueRange: 5
})
const singleKey = (clients: number, valueRange: number): GeneratorConfig => ({
  seed: 7,
  operations: 400,
  groups: 1,
  clientsPerGroup: clients,
  opsPerKey: 1e9,
  infoRate: 0.3,
  valueRange
})

const cases: ReadonlyArray<Case> = [
  { name: "lin-kv 1k ops (5 keys at a time, 10 clients, 5% info)", config: linKv(1_000) },
  { name: "lin-kv 10k ops", config: linKv(10_000) },
  { name: "lin-kv 100k ops", config: linKv(100_000) },
  { name: "lin-kv 100k ops, one read changed (all keys checked)", config: linKv(100_000), corrupt: true },
  ...[4, 8, 16, 32, 48, 64].map((c) => ({
    name: `1 key, 400 ops, ${c} clients, 30% info, values 0..4`,
    config: singleKey(c, 5)
  })),
  ...[4, 8, 16, 32].map((c) => ({
    name: `1 key, 400 ops, ${c} clients, 30% info, unique values`,
    config: singleKey(c, 0),
    timeLimitMs: 20_000
  })),
  { name: "Knossos cas-register data, all 120 files (parse + check)", knossos: true }
]

const here = path.dirname(fileURLToPath(import.meta.url))
const knossosDir = path.resolve(here, "../../../test/fixtures/knossos-cas-register")

const runCase = (c: Case): string => {
  let ops = 0
  let verdicts: Record<string, number> = {}
  let started = 0
  let configurations = 0
  const count = (verdict: string) => (verdicts[verdict] = (verdicts[verdict] ?? 0) + 1)
  if (c.knossos) {
    started = performance.now()
    for (const dir of ["good", "bad"]) {
      for (const file of fs.readdirSync(path.join(knossosDir, dir)).filter((name) => name.endsWith(".edn"))) {
        let loaded: ReturnType<typeof parseHistoryText>
        try {
          loaded = parseHistoryText(file, fs.readFileSync(path.join(knossosDir, dir, file), "utf8"))
        } catch {
          // One good file holds nemesis operations only: the checker refuses to judge it (fail closed).
          count(`${dir}:refused`)
          continue
        }
        ops += loaded.ops.length / 2
        const result = checkHistory(loaded.ops, loaded.options)
        count(`${dir}:${result.verdict}`)
        for (const key of result.keys) configurations += key.configurations ?? 0
      }
    }
  } else {
    const history: Array<HistoryOp> = generateHistory(c.config!)
    if (c.corrupt) {
      // From the middle on, the first read that a changed value makes invalid (found before timing).
      const reads = history.filter((op) => op.type === "ok" && op.f === "read" && typeof op.value === "number")
      corrupt: for (const victim of reads.slice(Math.floor(reads.length / 2))) {
        for (const delta of [1, 2, 3, 4]) {
          const changed = { ...victim, value: ((victim.value as number) + delta) % 5 }
          const keyOnly = history.filter((op) => op.key === victim.key).map((op) => op === victim ? changed : op)
          if (checkHistory(keyOnly).verdict === "invalid") {
            history[victim.index] = changed
            break corrupt
          }
        }
      }
    }
    ops = history.filter((op) => op.type === "invoke").length
    started = performance.now()
    const result = checkHistory(history, { timeLimitMs: c.timeLimitMs ?? 60_000 })
    for (const key of result.keys) {
      count(key.verdict)
      configurations += key.configurations ?? 0
    }
    if (result.keys.length === 1 && result.keys[0]!.reason) verdicts = { [`unknown (${result.keys[0]!.reason})`]: 1 }
  }
  const seconds = (performance.now() - started) / 1000
  const maxRssMiB = process.resourceUsage().maxRSS / 1024
  const shown = Object.entries(verdicts).map(([v, n]) => `${n} ${v}`).join(", ")
  return `| ${c.name} | ${Math.round(ops)} | ${seconds.toFixed(3)} | ${configurations} | ${maxRssMiB.toFixed(0)} | ${shown} |`
}

const only = process.argv[2]
if (only !== undefined) {
  console.log(runCase(cases[Number(only)]!))
} else {
  console.log(`Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`)
  console.log("")
  console.log("| case | ops | check s | configurations | peak RSS MiB | verdicts |")
  console.log("|---|---:|---:|---:|---:|---|")
  // A fresh process per case, so each peak RSS is that case's own.
  cases.forEach((_, i) => {
    const line = execFileSync(process.execPath, [fileURLToPath(import.meta.url), String(i)], { encoding: "utf8" })
    console.log(line.trim())
  })
}
