import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Random } from "effect"
import { corruptFiles, type CorruptionKind, describeCorruption } from "../../workbench/fileCorruption.js"

/** A node's working directory with `data/` holding a log, a marker, an empty file, a nested file and a link out. */
const nodeDirectory = () => {
  const workDir = mkdtempSync(join(tmpdir(), "file-corruption-"))
  const outside = join(workDir, "outside.txt")
  writeFileSync(outside, "not the node's")
  mkdirSync(join(workDir, "data", "snapshots"), { recursive: true })
  writeFileSync(join(workDir, "data", "n1.log"), "x".repeat(1000))
  writeFileSync(join(workDir, "data", "n1.had-log"), "1\n")
  writeFileSync(join(workDir, "data", "empty"), "")
  writeFileSync(join(workDir, "data", "snapshots", "s1"), "y".repeat(50))
  symlinkSync(outside, join(workDir, "data", "link"))
  return workDir
}

const corrupt = (workDir: string, kind: CorruptionKind, seed = 1) =>
  corruptFiles({ node: "n1", kind, workDir, directory: "data" }).pipe(
    Effect.withRandom(Random.make(seed)),
    Effect.provide(NodeContext.layer)
  )

const contents = (workDir: string, file: string) => readFileSync(join(workDir, file))

describe("damaging a node's data directory", () => {
  it.effect("truncate cuts the last part off every non-empty regular file, and says where", () =>
    Effect.gen(function*() {
      const workDir = nodeDirectory()
      const done = yield* corrupt(workDir, "truncate")
      expect(done.files.map((f) => f.file)).toEqual(["data/n1.had-log", "data/n1.log", "data/snapshots/s1"])
      for (const { bytes, file, offset } of done.files) {
        expect(bytes).toBeGreaterThan(0)
        expect(contents(workDir, file).length).toBe(offset)
      }
      expect(done.files.find((f) => f.file === "data/n1.log")!.offset + done.files.find((f) => f.file === "data/n1.log")!.bytes).toBe(1000)
      // A link may lead out of the node's directory: what it points at is untouched.
      expect(readFileSync(join(workDir, "outside.txt"), "utf8")).toBe("not the node's")
    }))

  it.effect("bitflip flips exactly one bit of every non-empty regular file, at the offset it reports", () =>
    Effect.gen(function*() {
      const workDir = nodeDirectory()
      const done = yield* corrupt(workDir, "bitflip", 2)
      expect(done.files.length).toBe(3)
      const original: Record<string, string> = { "data/n1.log": "x".repeat(1000), "data/n1.had-log": "1\n",
        "data/snapshots/s1": "y".repeat(50) }
      for (const { bit, bytes, file, offset } of done.files) {
        const before = Buffer.from(original[file]!)
        const after = contents(workDir, file)
        expect(bytes).toBe(1)
        expect(after.length).toBe(before.length)
        const differing = [...after].flatMap((byte, i) => (byte === before[i] ? [] : [i]))
        expect(differing).toEqual([offset])
        expect(after[offset]! ^ before[offset]!).toBe(1 << bit!)
      }
      expect(readFileSync(join(workDir, "outside.txt"), "utf8")).toBe("not the node's")
    }))

  it.effect("wipe removes the whole directory, listing what it held; a directory that is not there is nothing to damage", () =>
    Effect.gen(function*() {
      const workDir = nodeDirectory()
      const done = yield* corrupt(workDir, "wipe")
      expect(existsSync(join(workDir, "data"))).toBe(false)
      expect(existsSync(join(workDir, "outside.txt"))).toBe(true)
      expect(done.files.map((f) => [f.file, f.bytes])).toEqual([
        ["data/empty", 0],
        ["data/n1.had-log", 2],
        ["data/n1.log", 1000],
        ["data/snapshots/s1", 50]
      ])
      expect(describeCorruption(done)).toBe("n1 killed, data wiped (4 files, 1052 bytes)")
      for (const kind of ["truncate", "bitflip", "wipe"] as const) {
        const nothing = yield* corrupt(workDir, kind)
        expect(nothing.files).toEqual([])
      }
    }))

  it.effect("draws the same damage from the same seed", () =>
    Effect.gen(function*() {
      const first = yield* corrupt(nodeDirectory(), "bitflip", 9)
      const again = yield* corrupt(nodeDirectory(), "bitflip", 9)
      expect(again.files).toEqual(first.files)
    }))

  it("describes each strike with its files and offsets", () => {
    expect(describeCorruption({
      node: "n2",
      kind: "truncate",
      directory: "data",
      files: [{ file: "data/n2.log", offset: 1, bytes: 40 }]
    })).toBe("n2 killed, data/n2.log cut to 1 byte (40 dropped)")
    expect(describeCorruption({
      node: "n2",
      kind: "bitflip",
      directory: "data",
      files: [{ file: "data/n2.log", offset: 17, bytes: 1, bit: 6 }]
    })).toBe("n2 killed, bit 6 of byte 17 of data/n2.log flipped")
    expect(describeCorruption({ node: "n0", kind: "bitflip", directory: "db", files: [] })).toBe("n0 killed, no file in db to bitflip")
  })
})
