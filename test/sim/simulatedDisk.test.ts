import { describe, expect, it } from "@effect/vitest"
import { Clock, Effect, Random } from "effect"
import type { DiskShape } from "../../services/Disk.js"
import { SimulatedDisk } from "../../sim/SimulatedDisk.js"
import { simulated } from "./simulated.js"

const text = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : new TextDecoder().decode(bytes))
const bytesOf = (s: string) => new TextEncoder().encode(s)
const instantFsync = { min: 0, max: 0 }

/** A directory with one durable file in it holding "synced|", then `unsynced` written after it without an fsync. */
const writeThenCrash = (seed: number, unsynced: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const disk = new SimulatedDisk(instantFsync)
    const { shape } = disk
    yield* shape.createDirectory("/data")
    yield* shape.fsyncDirectory("/")
    const { file } = yield* shape.open("/data/log")
    yield* shape.fsyncDirectory("/data")
    yield* file.write(bytesOf("synced|"), 0)
    yield* file.fsync
    let end = 7
    for (const piece of unsynced) end += yield* file.write(bytesOf(piece), end)
    yield* disk.crash
    return text(disk.contents("/data/log"))
  }).pipe(Effect.scoped, Effect.withRandom(Random.make(seed)))

const openFile = (shape: DiskShape, path: string) => Effect.map(shape.open(path), ({ file }) => file)

describe("the simulated disk", () => {
  it.effect("a crash keeps the fsynced bytes and a prefix of what was written since: none, some, all, or a torn write", () =>
    Effect.gen(function*() {
      const outcomes = new Set<string>()
      for (let seed = 1; seed <= 60; seed++) {
        const after = (yield* writeThenCrash(seed, ["one|", "two|"]))!
        expect("synced|one|two|".startsWith(after)).toBe(true)
        expect(after.startsWith("synced|")).toBe(true)
        outcomes.add(after)
      }
      expect(outcomes).toContain("synced|")
      expect(outcomes).toContain("synced|one|two|")
      // Some crash landed inside a write: a torn record.
      expect([...outcomes].some((after) => !after.endsWith("|"))).toBe(true)
    }))

  it.effect("the same seed loses the same bytes", () =>
    Effect.gen(function*() {
      expect(yield* writeThenCrash(5, ["one|", "two|", "three|"])).toBe(yield* writeThenCrash(5, ["one|", "two|", "three|"]))
    }))

  it.effect("a new file may vanish in a crash until its directory is fsynced; from then on it stays", () =>
    Effect.gen(function*() {
      const outcomes = new Set<string | undefined>()
      for (let seed = 1; seed <= 30; seed++) {
        const disk = new SimulatedDisk(instantFsync)
        yield* Effect.gen(function*() {
          expect(yield* disk.shape.createDirectory("/data/raft")).toEqual(["/data", "/data/raft"])
          yield* disk.shape.fsyncDirectory("/")
          yield* disk.shape.fsyncDirectory("/data")
          const file = yield* openFile(disk.shape, "/data/raft/unlinked")
          yield* file.write(bytesOf("x"), 0)
          yield* file.fsync
          yield* disk.crash
        }).pipe(Effect.scoped, Effect.withRandom(Random.make(seed)))
        outcomes.add(text(disk.contents("/data/raft/unlinked")))
      }
      expect(outcomes).toEqual(new Set([undefined, "x"]))

      const disk = new SimulatedDisk(instantFsync)
      yield* disk.shape.createDirectory("/data/raft")
      yield* disk.shape.fsyncDirectory("/")
      yield* disk.shape.fsyncDirectory("/data")
      yield* openFile(disk.shape, "/data/raft/linked")
      yield* disk.shape.fsyncDirectory("/data/raft")
      yield* disk.crash
      expect(text(disk.contents("/data/raft/linked"))).toBe("")
      expect((yield* disk.shape.open("/data/raft/linked")).created).toBe(false)
    }).pipe(Effect.scoped))

  it.effect("a directory that vanishes in a crash takes what it holds with it, fsynced or not", () =>
    Effect.gen(function*() {
      const outcomes = new Set<string | undefined>()
      for (let seed = 1; seed <= 30; seed++) {
        const disk = new SimulatedDisk(instantFsync)
        yield* Effect.gen(function*() {
          yield* disk.shape.createDirectory("/data")
          yield* openFile(disk.shape, "/data/log")
          yield* disk.shape.fsyncDirectory("/data")
          yield* disk.crash
        }).pipe(Effect.scoped, Effect.withRandom(Random.make(seed)))
        const after = text(disk.contents("/data/log"))
        if (after === undefined) expect((yield* Effect.flip(Effect.scoped(disk.shape.open("/data/log")))).code).toBe("ENOENT")
        outcomes.add(after)
      }
      expect(outcomes).toEqual(new Set([undefined, ""]))
    }))

  it.effect("a rename replaces the target whole: a crash leaves the old file or the new one, and the new one once the directory is fsynced", () =>
    Effect.gen(function*() {
      const outcomes = new Set<string | undefined>()
      for (let seed = 1; seed <= 30; seed++) {
        const disk = new SimulatedDisk(instantFsync)
        yield* Effect.gen(function*() {
          const old = yield* openFile(disk.shape, "/log")
          yield* old.write(bytesOf("old"), 0)
          yield* old.fsync
          yield* disk.shape.fsyncDirectory("/")
          const next = yield* openFile(disk.shape, "/log.new")
          yield* next.write(bytesOf("new"), 0)
          yield* next.fsync
          yield* disk.shape.rename("/log.new", "/log")
          expect(text(disk.contents("/log"))).toBe("new")
          expect(disk.contents("/log.new")).toBeUndefined()
          yield* disk.crash
        }).pipe(Effect.scoped, Effect.withRandom(Random.make(seed)))
        outcomes.add(text(disk.contents("/log")))
      }
      expect(outcomes).toEqual(new Set(["old", "new"]))

      const disk = new SimulatedDisk(instantFsync)
      yield* disk.shape.fsyncDirectory("/")
      const next = yield* openFile(disk.shape, "/log.new")
      yield* next.write(bytesOf("new"), 0)
      yield* next.fsync
      yield* disk.shape.rename("/log.new", "/log")
      yield* disk.shape.fsyncDirectory("/")
      yield* disk.crash
      expect(text(disk.contents("/log"))).toBe("new")
      expect((yield* Effect.flip(disk.shape.rename("/missing", "/log"))).code).toBe("ENOENT")
    }).pipe(Effect.scoped))

  it.effect("a truncation not yet fsynced may be undone by a crash, and what a file opened before a crash does after it is lost", () =>
    Effect.gen(function*() {
      const disk = new SimulatedDisk(instantFsync)
      yield* disk.shape.fsyncDirectory("/")
      const before = yield* openFile(disk.shape, "/log")
      yield* disk.shape.fsyncDirectory("/")
      yield* before.write(bytesOf("abcdef"), 0)
      yield* before.fsync
      yield* before.truncate(2)
      expect(text(disk.contents("/log"))).toBe("ab")
      yield* Effect.withRandom(disk.crash, Random.make(3))
      expect(["ab", "abcdef"]).toContain(text(disk.contents("/log")))
      const kept = text(disk.contents("/log"))
      yield* before.write(bytesOf("zz"), 0)
      yield* before.fsync
      expect(text(disk.contents("/log"))).toBe(kept)
      expect(yield* before.read(0, 10)).toEqual(new Uint8Array(0))
    }).pipe(Effect.scoped))
})

describe("the simulated disk's injected faults", () => {
  /** A disk with one file, /f, durable and empty. */
  const diskWithFile = (fsyncMs = instantFsync) =>
    Effect.gen(function*() {
      const disk = new SimulatedDisk(fsyncMs)
      const file = yield* openFile(disk.shape, "/f")
      yield* disk.shape.fsyncDirectory("/")
      return { disk, file }
    })

  it.effect("a full disk takes part of a write at most, then refuses with ENOSPC, until healed", () =>
    Effect.gen(function*() {
      const { disk, file } = yield* diskWithFile()
      disk.inject({ on: "write", code: "ENOSPC" })
      const refused = yield* Effect.flip(Effect.forever(Effect.map(file.write(bytesOf("abcdef"), 0), (n) => expect(n).toBeLessThan(6))))
      expect(refused.code).toBe("ENOSPC")
      expect(disk.injectedFailures).toBe(1)
      disk.inject(null)
      expect(yield* file.write(bytesOf("abcdef"), 0)).toBe(6)
      yield* file.fsync
      expect(text(disk.contents("/f"))).toBe("abcdef")
    }).pipe(Effect.scoped, Effect.withRandom(Random.make(3))))

  it.effect("a failing fsync leaves what was written not durable: a crash can still lose it", () =>
    Effect.gen(function*() {
      const lost = new Set<string | undefined>()
      for (let seed = 1; seed <= 20; seed++) {
        yield* Effect.gen(function*() {
          const { disk, file } = yield* diskWithFile()
          yield* file.write(bytesOf("abc"), 0)
          disk.inject({ on: "fsync", code: "EIO" })
          expect((yield* Effect.flip(file.fsync)).code).toBe("EIO")
          disk.inject(null)
          yield* disk.crash
          lost.add(text(disk.contents("/f")))
        }).pipe(Effect.scoped, Effect.withRandom(Random.make(seed)))
      }
      expect(lost).toContain("")
    }))

  it("a slow fsync stalls up to its bound, and ends once the disk is healed", () => {
    const took = (healAfterMs: number | null) =>
      simulated(
        Effect.gen(function*() {
          const { disk, file } = yield* diskWithFile({ min: 1, max: 1 })
          disk.slowFsyncs(10_000)
          if (healAfterMs !== null) yield* Effect.forkScoped(Effect.delay(Effect.sync(() => disk.slowFsyncs(0)), healAfterMs))
          const start = yield* Clock.currentTimeMillis
          yield* file.fsync
          return (yield* Clock.currentTimeMillis) - start
        }).pipe(Effect.scoped),
        7
      )
    const stalled = took(null)
    expect(stalled).toBeGreaterThan(100)
    expect(stalled).toBeLessThanOrEqual(10_001 + 10)
    expect(took(50)).toBeLessThanOrEqual(61)
  })
})
