import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { parameters } from "../../src/options/nodeParameters.js"
import { NodeProcess, raftBin } from "../support/NodeProcess.js"

const init = { type: "init", node_id: "n1", node_ids: ["n1"] }

/** bin/raft's flags as a real process sees them: refused before stdin is read, --help, and the start line. */
describe("bin/raft's flags, end to end", () => {
  const nodes: Array<NodeProcess> = []
  const start = (args: ReadonlyArray<string>, env: Record<string, string> = {}) => {
    const node = new NodeProcess(raftBin, { args, env })
    nodes.push(node)
    return node
  }
  afterEach(async () => {
    for (const node of nodes.splice(0)) await node.stop()
  })
  const dataParent = () => fs.mkdtempSync(path.join(os.tmpdir(), "raft-flags-"))

  it("refuses misspelt flags with exit 2, naming each and what it probably meant, without waiting for init", async () => {
    const dataDir = path.join(dataParent(), "data")
    // stdin stays open and nothing is sent: a node that started would wait for init.
    const node = start(["--datadir", dataDir, "--snapshot-evry", "5", "--help"])
    expect(await node.exitWithin(5000)).toBe(2)
    expect(node.stderr).toEqual([
      "bin/raft: unknown flag --datadir (did you mean --data-dir?)",
      "bin/raft: unknown flag --snapshot-evry (did you mean --snapshot-every?)",
      "bin/raft: the node did not start; bin/raft --help lists the flags"
    ])
    expect(node.received).toEqual([])
    expect(node.invalidLines).toEqual([])
    expect(fs.existsSync(dataDir)).toBe(false)
  })

  it("refuses a bad value, from a flag or the environment, and a flag missing its value, with exit 2", async () => {
    const badFlag = start(["--heartbeat-ms", "abc"])
    const badVariable = start([], { RAFT_SNAPSHOT_EVERY: "-1" })
    const missing = start(["--snapshot-every", "5", "--data-dir"])
    expect(await badFlag.exitWithin(5000)).toBe(2)
    expect(badFlag.stderr[0]).toBe("bin/raft: --heartbeat-ms \"abc\": expected a positive integer")
    expect(await badVariable.exitWithin(5000)).toBe(2)
    expect(badVariable.stderr[0]).toBe("bin/raft: RAFT_SNAPSHOT_EVERY=\"-1\": expected a positive integer")
    expect(await missing.exitWithin(5000)).toBe(2)
    expect(missing.stderr[0]).toBe("bin/raft: --data-dir is missing its value: --data-dir DIR or --data-dir=DIR")
  })

  it("prints its usage on stdout for --help and exits 0", async () => {
    const node = start(["--help"])
    expect(await node.exitWithin(5000)).toBe(0)
    // The usage is text, not messages: NodeProcess keeps it as lines that are not JSON.
    const usage = node.invalidLines.join("\n")
    for (const { flag, variable, shownDefault } of parameters) {
      expect(usage).toMatch(new RegExp(`${flag} \\S+ +${variable} +default: ${shownDefault}\\n`))
    }
    expect(node.stderr).toEqual([])
  })

  it("logs once, at start, the log file and the limits in force: flags over environment over defaults", async () => {
    const dataDir = path.join(dataParent(), "data")
    const node = start(["--data-dir", dataDir, "--snapshot-every", "7"], { RAFT_SNAPSHOT_EVERY: "9", RAFT_HEARTBEAT_MS: "75" })
    expect(await node.request(init)).toMatchObject({ type: "init_ok" })
    expect(await node.requestWhenReady({ type: "write", key: 1, value: 2 })).toMatchObject({ type: "write_ok" })
    const startLines = node.stderr.filter((line) => line.includes("runs with its log"))
    expect(startLines).toHaveLength(1)
    const logFile = path.join(dataDir, "n1.log")
    expect(startLines[0]).toContain(`level=INFO`)
    expect(startLines[0]).toContain(
      `n1 runs with its log in ${logFile}; --quota-bytes 268435456 --heartbeat-ms 75 --election-timeout-min-ms 400`
    )
    expect(startLines[0]).toContain("--snapshot-every 7 --snapshot-bytes 8388608")
    expect(fs.statSync(logFile).size).toBeGreaterThan(0)
  })

  it("without flags, as Maelstrom starts it, logs a log in memory and the defaults", async () => {
    const node = start([])
    expect(await node.request(init)).toMatchObject({ type: "init_ok" })
    expect(await node.requestWhenReady({ type: "read", key: 1 })).toMatchObject({ type: "error", code: 20 })
    expect(node.stderr.filter((line) => line.includes("runs with its log"))).toEqual([
      expect.stringContaining("n1 runs with its log in memory (lost when the process ends); --quota-bytes 268435456 --heartbeat-ms 50 ")
    ])
  })
})
