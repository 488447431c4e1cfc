import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { NodeProcess, raftBin } from "../support/NodeProcess.js"

const init = { type: "init", node_id: "n1", node_ids: ["n1"] }

describe("bin/raft with --data-dir and --snapshot-every, end to end", () => {
  const nodes: Array<NodeProcess> = []
  afterEach(async () => {
    for (const node of nodes.splice(0)) await node.stop()
  })
  const start = (dataDir: string) => {
    const node = new NodeProcess(raftBin, { args: ["--data-dir", dataDir, "--snapshot-every", "4", "--snapshot-chunk-chars", "32"] })
    nodes.push(node)
    return node
  }

  it("compacts its log file and, killed and restarted, serves every acknowledged write from the snapshot", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "raft-snapshots-"))
    const first = start(dataDir)
    expect(await first.request(init)).toMatchObject({ type: "init_ok" })
    expect(await first.requestWhenReady({ type: "write", key: 0, value: 0 })).toMatchObject({ type: "write_ok" })
    for (let key = 1; key <= 10; key++) {
      expect(await first.request({ type: "write", key, value: key * 10 })).toMatchObject({ type: "write_ok" })
    }
    const lines = fs.readFileSync(path.join(dataDir, "n1.log"), "utf8").split("\n")
    // The format header, then the snapshot the compacted file starts with: its chunks, of at most 32
    // characters of JSON each, then the record that names how many.
    const chunks = lines.slice(1).findIndex((line) => !line.includes("{\"snapshot_chunk\":"))
    expect(lines[0]).toBe("05aca48d {\"log_format\":2}")
    expect(chunks).toBeGreaterThanOrEqual(2)
    for (const line of lines.slice(1, 1 + chunks)) {
      expect(line).toMatch(/^[0-9a-f]{8} \{"snapshot_chunk":\[.*\]\}$/)
      expect(line.length - "00000000 {\"snapshot_chunk\":}".length).toBeLessThanOrEqual(32)
    }
    expect(lines[1 + chunks]).toMatch(
      new RegExp(
        `^[0-9a-f]{8} \\{"snapshot":\\{"last_index":(8|12),"last_term":1,"chunks":${chunks},"config":\\{"voters":\\["n1"\\],"learners":\\[\\]\\}\\}\\}$`
      )
    )
    first.kill()
    await first.exitWithin(5000)

    const second = start(dataDir)
    expect(await second.request(init)).toMatchObject({ type: "init_ok" })
    for (let key = 1; key <= 10; key++) {
      expect(await second.requestWhenReady({ type: "read", key })).toMatchObject({ type: "read_ok", value: key * 10 })
    }
    expect(second.stderr.join("\n")).toContain("state restored from the snapshot of entries up to")
  })
})
