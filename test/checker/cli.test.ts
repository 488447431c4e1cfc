import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { repoRoot } from "../support/NodeProcess.js"

/** Runs the built checker's command line on a file holding `text`. */
const checkHistoryFile = (name: string, text: string) => {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "check-history-"))
  const file = path.join(directory, name)
  fs.writeFileSync(file, text)
  const run = spawnSync("node", [path.join(repoRoot, "dist/checker/cli.js"), file], { encoding: "utf8" })
  return { code: run.status, out: run.stdout, err: run.stderr }
}

const op = (index: number, type: string, f: string, value: string, process = 0) =>
  `#jepsen.history.Op{:index ${index}, :time ${index}, :type :${type}, :process ${process}, :f :${f}, :value ${value}}`

describe("check-history, the command line", () => {
  it("fails closed: an empty file is an error (exit 3), never a verdict", () => {
    const run = checkHistoryFile("history.edn", "")
    expect(run.code).toBe(3)
    expect(run.err).toMatch(/no client operations/)
    expect(run.out).not.toMatch(/Verdict/)
  })

  it("judges Jepsen 0.3 histories of tagged op records", () => {
    const write = [op(0, "invoke", "write", "[1 3]"), op(1, "ok", "write", "[1 3]")]
    const valid = [...write, op(2, "invoke", "read", "[1 nil]", 1), op(3, "ok", "read", "[1 3]", 1)]
    expect(checkHistoryFile("history.edn", valid.join("\n")).code).toBe(0)
    const stale = [...write, op(2, "invoke", "read", "[1 nil]", 1), op(3, "ok", "read", "[1 4]", 1)]
    const run = checkHistoryFile("history.edn", stale.join("\n"))
    expect(run.code).toBe(1)
    expect(run.out).toMatch(/INVALID/)
  })
})
