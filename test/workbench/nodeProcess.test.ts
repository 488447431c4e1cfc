import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { startNodeProcess } from "../../workbench/nodeProcess.js"

/** The live processes of a process group, from /proc (a zombie already exited: it is not counted). */
const processesOfGroup = (group: number): Array<number> =>
  fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name)).flatMap((name) => {
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, "utf8")
      const [state, , pgid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
      return Number(pgid) === group && state !== "Z" ? [Number(name)] : []
    } catch {
      return [] // gone meanwhile
    }
  })

describe("a node process", () => {
  it.live("stopping a node stops every process of its group: the script, the node it did not exec, what it started",
    () =>
      Effect.gen(function*() {
        const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "node-process-"))
        const started = yield* Effect.scoped(Effect.gen(function*() {
          const node = yield* startNodeProcess({
            id: "n1",
            bin: path.resolve("test/workbench/fixtures/wrapped-node.sh"),
            args: [],
            workDir,
            stderrPath: path.join(workDir, "n1.stderr"),
            echoStderr: false
          })
          // The script, the sleep it started and the cat it runs, all in the node's group.
          for (let attempt = 0; attempt < 50 && processesOfGroup(node.pid).length < 3; attempt++) yield* Effect.sleep(20)
          expect(processesOfGroup(node.pid).length).toBe(3)
          return node.pid
        }))
        expect(processesOfGroup(started)).toEqual([])
      }), 10_000)
})
