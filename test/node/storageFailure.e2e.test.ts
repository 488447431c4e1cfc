import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { NodeProcess, repoRoot } from "../support/NodeProcess.js"

const bin = path.resolve(repoRoot, "bin/raft")
const init = { type: "init", node_id: "n1", node_ids: ["n1"] }

describe("bin/raft with --data-dir, when storage fails", () => {
  const nodes: Array<NodeProcess> = []
  const cleanups: Array<() => void> = []
  const start = (dataDir: string) => {
    const node = new NodeProcess(bin, { args: ["--data-dir", dataDir] })
    nodes.push(node)
    return node
  }
  afterEach(async () => {
    for (const node of nodes.splice(0)) await node.stop()
    for (const cleanup of cleanups.splice(0).reverse()) cleanup()
  })

  it("answers init with the reason it cannot start, logs it, and exits non-zero", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "raft-data-"))
    const file = path.join(dataDir, "n1.log")
    fs.writeFileSync(file, "{\"append\":[]}\nnot a record\n{\"append\":[]}\n")
    const node = start(dataDir)
    const reply = await node.request(init)
    expect(reply).toMatchObject({ type: "error", code: 13, text: expect.stringContaining(`${file}: corrupt record at byte 14`) })
    expect(await node.exitWithin(5000)).not.toBe(0)
    expect(node.stderr.join("\n")).toContain(`${file}: corrupt record at byte 14`)
    expect(node.stderr.join("\n")).not.toContain("An error has occurred")
  })

  it("a lone node whose log has a digit changed after an acknowledged write refuses to start, rather than serve the wrong value", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "raft-data-"))
    const file = path.join(dataDir, "n1.log")
    const node = start(dataDir)
    expect(await node.request(init)).toMatchObject({ type: "init_ok" })
    expect(await node.requestWhenReady({ type: "write", key: 1, value: 12345 })).toMatchObject({ type: "write_ok" })
    node.kill()
    await node.exited

    // One digit of the value changes on disk while the node is down.
    const bytes = fs.readFileSync(file)
    const at = bytes.indexOf("12345")
    expect(at).toBeGreaterThan(0)
    bytes[at + 3] = "7".charCodeAt(0)
    fs.writeFileSync(file, bytes)
    const record = bytes.lastIndexOf("\n", at) + 1

    const restarted = start(dataDir)
    const reply = await restarted.request(init)
    expect(reply).toMatchObject({ type: "error", code: 13,
      text: expect.stringContaining(`${file}: corrupt record at byte ${record}: checksum`) })
    expect(reply.text).toContain("refuses to start")
    expect(await restarted.exitWithin(5000)).not.toBe(0)
    expect(restarted.stderr.join("\n")).toContain(`${file}: corrupt record at byte ${record}`)
    // The evidence is left as it was for the operator.
    expect(fs.readFileSync(file)).toEqual(bytes)
  })

  it("on a full disk: fails the write with an error and says why, stops, and restarts with every acknowledged write", async (context) => {
    const mountPoint = fs.mkdtempSync(path.join(os.tmpdir(), "raft-full-"))
    cleanups.push(() => fs.rmSync(mountPoint, { recursive: true, force: true }))
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", mountPoint], { stdio: "pipe" })
    } catch (error) {
      console.log(`skipped: a small tmpfs could not be mounted (${String(error).split("\n")[0]})`)
      return context.skip()
    }
    cleanups.push(() => execFileSync("umount", [mountPoint]))
    const dataDir = path.join(mountPoint, "data")
    const file = path.join(dataDir, "n1.log")

    const node = start(dataDir)
    expect(await node.request(init)).toMatchObject({ type: "init_ok" })
    expect(await node.requestWhenReady({ type: "write", key: 0, value: "first" })).toMatchObject({ type: "write_ok" })

    // Leave about two pages free, then write 1000-byte values until the disk is full.
    const { bavail, bsize } = fs.statfsSync(mountPoint)
    const filler = path.join(mountPoint, "filler")
    fs.writeFileSync(filler, Buffer.alloc(bavail * bsize - 8192))
    const acknowledged = new Map<number, string>([[0, "first"]])
    let failure: Record<string, any> | undefined
    for (let key = 1; key < 100 && failure === undefined; key++) {
      const value = `${key}:${"v".repeat(1000)}`
      const reply = await node.request({ type: "write", key, value })
      if (reply.type === "write_ok") acknowledged.set(key, value)
      else failure = reply
    }
    expect(acknowledged.size).toBeGreaterThan(2)
    expect(failure).toMatchObject({ type: "error", code: 13, text: expect.stringContaining("ENOSPC") })
    expect(failure!.text).toContain(file)
    expect(await node.exitWithin(5000)).not.toBe(0)
    const stopped = node.stderr.find((line) => line.includes("node stopped"))
    expect(stopped).toMatch(new RegExp(`${file}.*ENOSPC`))

    // Space returns: the node starts again and has every write it acknowledged.
    fs.rmSync(filler)
    const restarted = start(dataDir)
    expect(await restarted.request(init)).toMatchObject({ type: "init_ok" })
    for (const [key, value] of acknowledged) {
      expect(await restarted.requestWhenReady({ type: "read", key })).toMatchObject({ type: "read_ok", value })
    }
    expect(await restarted.request({ type: "write", key: 0, value: "after" })).toMatchObject({ type: "write_ok" })
  })
})
