import * as path from "node:path"
import { Effect, Random } from "effect"
import { DiskError, type DiskFile, type DiskShape } from "../services/Disk.js"

/** A change to a file's bytes since its last fsync. */
type Change = { readonly write: Uint8Array; readonly at: number } | { readonly truncate: number }

interface SimulatedFile {
  /** What reads see: every change applied. */
  bytes: Uint8Array
  /** What a crash keeps for sure: the bytes as of the last fsync. */
  durable: Uint8Array
  /** The changes since the last fsync, in order: a crash keeps a prefix of them. */
  pending: Array<Change>
}

/** An error the disk is told to give until told otherwise: every write (a full disk) or every fsync (a failing one). */
export type InjectedError = { readonly on: "write"; readonly code: "ENOSPC" } | { readonly on: "fsync"; readonly code: "EIO" }

/** How often a stalled fsync looks whether its disk was healed, in simulated milliseconds. */
const stallStepMs = 10

/** What a name in the file system refers to. */
type Node = { readonly kind: "directory" } | { readonly kind: "file"; readonly file: SimulatedFile }

/** A change to the names in one directory, made durable by fsyncing that directory. */
interface NameChange {
  readonly directory: string
  readonly apply: (names: Map<string, Node>) => void
}

const apply = (bytes: Uint8Array, change: Change): Uint8Array => {
  if ("truncate" in change) {
    if (change.truncate <= bytes.length) return bytes.subarray(0, change.truncate)
    const longer = new Uint8Array(change.truncate)
    longer.set(bytes)
    return longer
  }
  const end = change.at + change.write.length
  const result = end <= bytes.length ? new Uint8Array(bytes) : new Uint8Array(end)
  if (end > bytes.length) result.set(bytes)
  result.set(change.write, change.at)
  return result
}

/**
 * One node's disk, in memory, with what a power loss keeps: a file keeps the
 * bytes it had at its last fsync and, of the changes made since, a random
 * prefix (possibly none), the last one kept possibly cut short, so a crash
 * can tear the record being written. Names are kept the same way: what the
 * directories held at their last fsync, then a random prefix of the changes
 * made since (creations and renames), and nothing whose parent directory
 * did not survive. Every chance
 * comes from Effect's Random and every delay is Effect's Clock: the
 * simulator's seed decides them all.
 */
export class SimulatedDisk {
  /** Every name as the running system sees it. */
  private entries = new Map<string, Node>([["/", { kind: "directory" }]])
  /** Every name as of its directory's last fsync. */
  private durableEntries = new Map<string, Node>([["/", { kind: "directory" }]])
  /** The name changes not yet fsynced, in the order they were made. */
  private pendingNames: Array<NameChange> = []
  /** Bumped by every crash: files opened before it are dead, and what the dead process still does is lost. */
  private incarnation = 0
  /** The error every write or fsync gives now, if any. */
  private failingWith: InjectedError | null = null
  /** An fsync takes up to this much longer now (a stalling device). */
  private slowFsyncMs = 0
  /** How many calls failed with an injected error so far: a node that stopped after one stopped on its disk. */
  injectedFailures = 0

  constructor(
    /** How long an fsync takes, in simulated milliseconds, uniform in [min, max]: a crash may land in it. */
    private readonly fsyncMs: { readonly min: number; readonly max: number } = { min: 1, max: 10 }
  ) {}

  /** The machine loses power: everything not durable goes, as described above; open files stop working. */
  readonly crash: Effect.Effect<void> = Effect.gen(this, function*() {
    this.incarnation++
    const names = new Map(this.durableEntries)
    const kept = yield* Random.nextIntBetween(0, this.pendingNames.length + 1)
    for (const change of this.pendingNames.slice(0, kept)) change.apply(names)
    this.pendingNames = []
    // A name whose directory is gone is unreachable. Parents sort before their children.
    for (const name of [...names.keys()].sort()) {
      if (name !== "/" && !names.has(path.dirname(name))) names.delete(name)
    }
    const files = new Set<SimulatedFile>()
    for (const node of names.values()) if (node.kind === "file") files.add(node.file)
    for (const file of files) {
      file.bytes = file.durable = yield* this.afterCrash(file)
      file.pending = []
    }
    this.entries = names
    this.durableEntries = new Map(names)
  })

  /**
   * The disk as the Disk service, for the node's current incarnation: once
   * the machine crashes, whatever the dead process still does through it
   * (a rename it had under way, say) changes nothing.
   */
  get shape(): DiskShape {
    const incarnation = this.incarnation
    const alive = () => this.incarnation === incarnation
    const changeNames = (directory: string, apply: (names: Map<string, Node>) => void) => {
      if (alive()) this.changeNames(directory, apply)
    }
    return {
      createDirectory: (directory) =>
        Effect.sync(() => {
          const created: Array<string> = []
          for (let current = path.resolve(directory); !this.entries.has(current); current = path.dirname(current)) {
            created.unshift(current)
          }
          for (const name of created) changeNames(path.dirname(name), (names) => void names.set(name, { kind: "directory" }))
          return created
        }),
      open: (target) =>
        Effect.suspend((): Effect.Effect<{ readonly file: DiskFile; readonly created: boolean }, DiskError> => {
          const name = path.resolve(target)
          const existing = this.entries.get(name)
          if (existing?.kind === "directory") return Effect.fail(this.error("open", name, "EISDIR"))
          if (existing !== undefined) return Effect.succeed({ file: this.handle(existing.file, incarnation, name), created: false })
          if (this.entries.get(path.dirname(name))?.kind !== "directory") return Effect.fail(this.error("create", name, "ENOENT"))
          const file: SimulatedFile = { bytes: new Uint8Array(0), durable: new Uint8Array(0), pending: [] }
          changeNames(path.dirname(name), (names) => void names.set(name, { kind: "file", file }))
          return Effect.succeed({ file: this.handle(file, incarnation, name), created: true })
        }),
      fsyncDirectory: (directory) =>
        Effect.suspend(() => {
          const name = path.resolve(directory)
          if (this.entries.get(name)?.kind !== "directory") return Effect.fail(this.error("fsync directory", name, "ENOENT"))
          if (!alive()) return Effect.void
          const [synced, pending] = [[], []] as [Array<NameChange>, Array<NameChange>]
          for (const change of this.pendingNames) (change.directory === name ? synced : pending).push(change)
          for (const change of synced) change.apply(this.durableEntries)
          this.pendingNames = pending
          return Effect.void
        }),
      // The simulated disk has no symbolic links.
      resolveLinks: (target) => Effect.succeed(path.resolve(target)),
      rename: (from, to) =>
        Effect.suspend(() => {
          const [source, target] = [path.resolve(from), path.resolve(to)]
          const node = this.entries.get(source)
          if (node?.kind !== "file") return Effect.fail(this.error("rename", source, "ENOENT"))
          if (path.dirname(source) !== path.dirname(target)) return Effect.fail(this.error("rename", source, "EXDEV"))
          if (this.entries.get(target)?.kind === "directory") return Effect.fail(this.error("rename", target, "EISDIR"))
          changeNames(path.dirname(source), (names) => {
            // Replayed on the durable names as well: rename whatever file has the old name there.
            const moved = names.get(source)
            if (moved === undefined) return
            names.delete(source)
            names.set(target, moved)
          })
          return Effect.void
        })
    }
  }

  /** Changes the names in `directory` now, and durably once it is fsynced. */
  private changeNames(directory: string, apply: (names: Map<string, Node>) => void): void {
    apply(this.entries)
    this.pendingNames.push({ directory, apply })
  }

  /** The file's bytes as reads see them now (undefined when there is no such file). */
  contents(target: string): Uint8Array | undefined {
    const entry = this.entries.get(path.resolve(target))
    return entry?.kind === "file" ? entry.file.bytes : undefined
  }

  /** Replaces an existing file's bytes, durably (a disk edited or damaged while its node is down). */
  replaceContents(target: string, bytes: Uint8Array): Effect.Effect<void, DiskError> {
    return Effect.suspend(() => {
      const name = path.resolve(target)
      const entry = this.entries.get(name)
      if (entry?.kind !== "file") return Effect.fail(this.error("replace contents of", name, "ENOENT"))
      entry.file.bytes = entry.file.durable = bytes
      entry.file.pending = []
      return Effect.void
    })
  }

  /** Whether writes or fsyncs fail now. */
  get failing(): boolean {
    return this.failingWith !== null
  }

  /** From now on every write, or every fsync, fails with `error`; null heals the disk. */
  inject(error: InjectedError | null): void {
    this.failingWith = error
  }

  /** From now on every fsync takes up to `maxMs` more (uniform from 0); 0 ends it. */
  slowFsyncs(maxMs: number): void {
    this.slowFsyncMs = maxMs
  }

  /** Removes `directory` and everything in it, as if the machine got a blank disk there; says what went. */
  wipe(directory: string): ReadonlyArray<string> {
    const root = path.resolve(directory)
    const gone = [...this.entries.keys()].filter((name) => name === root || name.startsWith(`${root}/`)).sort()
    for (const name of gone) {
      this.entries.delete(name)
      this.durableEntries.delete(name)
    }
    return gone
  }

  private afterCrash(file: SimulatedFile): Effect.Effect<Uint8Array> {
    return Effect.gen(function*() {
      const kept = yield* Random.nextIntBetween(0, file.pending.length + 1)
      let bytes = file.durable
      for (const change of file.pending.slice(0, kept)) bytes = apply(bytes, change)
      const torn = file.pending[kept]
      if (torn !== undefined && "write" in torn) {
        const prefix = yield* Random.nextIntBetween(0, torn.write.length + 1)
        if (prefix > 0) bytes = apply(bytes, { write: torn.write.subarray(0, prefix), at: torn.at })
      }
      return bytes
    })
  }

  private error(operation: string, name: string, code: string): DiskError {
    return new DiskError({ reason: `${operation} ${name}: ${code} (simulated disk)`, code })
  }

  /** An open file: after a crash, whatever the dead process still does to it changes nothing. */
  private handle(file: SimulatedFile, opened: number, name: string): DiskFile {
    const alive = () => this.incarnation === opened
    const change = (c: Change) => {
      if (!alive()) return
      file.bytes = apply(file.bytes, c)
      file.pending.push(c)
    }
    return {
      read: (position, maxBytes) =>
        Effect.sync(() => alive() ? new Uint8Array(file.bytes.subarray(position, position + maxBytes)) : new Uint8Array(0)),
      write: (bytes, position) =>
        Effect.gen(this, function*() {
          if (this.failingWith?.on !== "write") {
            change({ write: new Uint8Array(bytes), at: position })
            return bytes.length
          }
          // A filling disk may take part of a write before it refuses the rest (write(2) returns a short count).
          const taken = yield* Random.nextIntBetween(0, bytes.length)
          if (taken > 0) {
            change({ write: new Uint8Array(bytes.subarray(0, taken)), at: position })
            return taken
          }
          this.injectedFailures++
          return yield* this.error("write", name, this.failingWith.code)
        }),
      fsync: Effect.gen(this, function*() {
        const ms = yield* Random.nextIntBetween(this.fsyncMs.min, this.fsyncMs.max + 1)
        if (ms > 0) yield* Effect.sleep(ms)
        // A stalling device: the stall ends early once the disk is healed, so no fault outlasts the nemesis.
        let stall = this.slowFsyncMs > 0 ? yield* Random.nextIntBetween(0, this.slowFsyncMs + 1) : 0
        while (stall > 0 && this.slowFsyncMs > 0) {
          yield* Effect.sleep(Math.min(stall, stallStepMs))
          stall -= stallStepMs
        }
        if (!alive()) return
        if (this.failingWith?.on === "fsync") {
          // What was written stays in memory, not durable: a crash may still lose it.
          this.injectedFailures++
          return yield* this.error("fsync", name, this.failingWith.code)
        }
        file.durable = file.bytes
        file.pending = []
      }),
      truncate: (length) => Effect.sync(() => change({ truncate: length }))
    }
  }
}
