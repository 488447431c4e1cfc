import { Clock, Effect, Option, Random } from "effect"
import type { NodeId } from "../src/protocol/envelope.js"
import { logDirectory, logFileOf, type SimCluster } from "./SimCluster.js"
import { cutInsideRecord, cutSuffix, type Damaged, flipBit } from "./storageDamage.js"

/**
 * Storage faults the node detects or rides out, injected by default: a bit
 * flipped in its log (the record's checksum fails), its data directory wiped
 * while it is down (it starts empty and asks the others, recovery.ts), a
 * fsynced suffix of its log lost from inside a record on (it ends torn, and
 * the node asks the others too), writes refused by a full disk (ENOSPC),
 * fsyncs failing (EIO), fsyncs stalling.
 */
export const diskFaultKinds = ["bitflip", "wipe", "torn-suffix", "disk-full", "disk-error", "slow-fsync"] as const
/**
 * Storage faults the node cannot detect, injected only when named: a fsynced
 * suffix of its log lost, cut anywhere, at a record boundary too, so that
 * what is left may look whole. The node may forget a vote or entries it
 * acknowledged and not know.
 */
export const undetectableDiskFaultKinds = ["lost-suffix"] as const
export type DiskFaultKind = (typeof diskFaultKinds)[number] | (typeof undetectableDiskFaultKinds)[number]

export const isDiskFault = (kind: string): kind is DiskFaultKind =>
  (diskFaultKinds as ReadonlyArray<string>).includes(kind) || (undetectableDiskFaultKinds as ReadonlyArray<string>).includes(kind)

/**
 * Faults that take away what a node's storage held, beside those that only
 * fail or slow it for a while. Raft survives lost storage on a minority of
 * the voters only, and membership changes shrink the voters (to one, even):
 * these are never injected together with membership changes.
 */
export const losesStorage = (kind: string) => kind === "bitflip" || kind === "wipe" || kind === "torn-suffix" || kind === "lost-suffix"

/**
 * How many nodes' storage faults may strike at once: a minority (a
 * majority's lost storage may hold the only copies of a committed entry).
 */
export const storageFaultLimit = (nodes: number): number => Math.floor((nodes - 1) / 2)

export interface DiskFaultOptions {
  /** The longest election timeout: windows last a few of them, slow fsyncs stall up to a few. */
  readonly electionTimeoutMaxMs: number
}

/** A node whose storage a fault struck. */
interface Struck {
  /** Every entry up to this index may have been committed when its storage was lost (0: nothing lost). */
  readonly levelAt: number
  /** When the last fault with a window (full disk, failing or slow fsyncs) on it ends; 0 for none. */
  readonly windowEndsMs: number
}

/**
 * Storage faults for the nemesis, on at most a minority of the nodes at once
 * (`storageFaultLimit`), and with storage lost on one node at a time: a node
 * that lost its storage recovers by asking the others, and counts on each of
 * them still holding what it acknowledged (quorum.ts,
 * `answersReachEveryCommit`). A node counts as struck until it runs again,
 * its fault's window has ended, and, if it lost storage, its log holds
 * durably and committed every index any log held when it lost it: then every
 * entry that could have been committed before is back on its disk.
 */
export const makeDiskFaults = (cluster: SimCluster, options: DiskFaultOptions) => {
  const struck = new Map<NodeId, Struck>()
  /** Per node and fault, the window that ends last: an earlier one ending does not heal the disk. */
  const latestWindow = new Map<string, { readonly endsMs: number }>()
  const limit = storageFaultLimit(cluster.nodeIds.length)

  const isLevel = (node: NodeId, fault: Struck, now: number) =>
    cluster.isRunning(node) && now >= fault.windowEndsMs &&
    (cluster.currentReport(node)?.commitIndex ?? 0) >= fault.levelAt && cluster.durableLastIndex(node) >= fault.levelAt

  /** A node this kind of fault may strike now, if any. */
  const target = (kind: DiskFaultKind) =>
    Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      for (const [node, fault] of [...struck]) if (isLevel(node, fault, now)) struck.delete(node)
      const othersLost = (node: NodeId) => [...struck].some(([other, fault]) => other !== node && fault.levelAt > 0)
      const candidates = cluster.nodeIds.filter((node) =>
        (struck.has(node) || struck.size < limit) && !(losesStorage(kind) && othersLost(node))
      )
      if (candidates.length === 0) return Option.none<NodeId>()
      return Option.some(candidates[yield* Random.nextIntBetween(0, candidates.length)]!)
    })

  const strike = (node: NodeId, fault: Struck) => {
    const before = struck.get(node)
    struck.set(node, {
      levelAt: Math.max(before?.levelAt ?? 0, fault.levelAt),
      windowEndsMs: Math.max(before?.windowEndsMs ?? 0, fault.windowEndsMs)
    })
  }

  /** Down for a while, as after a crash: most nodes come back soon, the rest with a crash action or at the end. */
  const restartLater = (node: NodeId) =>
    Effect.gen(function*() {
      if ((yield* Random.next) >= 0.7) return
      const downMs = yield* Random.nextIntBetween(50, 2000)
      yield* Effect.forkScoped(
        Effect.sleep(downMs).pipe(Effect.zipRight(Effect.suspend(() => cluster.isRunning(node) ? Effect.void : cluster.start(node))))
      )
    })

  /** Damage at rest: the node goes down first (a running node would only see it at its next start anyway). */
  const atRest = (node: NodeId, kind: DiskFaultKind, damage: () => Effect.Effect<Option.Option<string>>) =>
    Effect.gen(function*() {
      // Taken before the crash: the highest index any log holds, the node's own in memory included.
      const levelAt = cluster.highestLogIndex()
      if (cluster.isRunning(node)) yield* cluster.crash(node)
      const done = yield* damage()
      if (Option.isNone(done)) return cluster.note(`nemesis: ${kind} on ${node}: nothing on its disk to strike`)
      cluster.note(`nemesis: ${kind} on ${node}: ${done.value}`)
      strike(node, { levelAt: Math.max(levelAt, 1), windowEndsMs: 0 })
      cluster.storageLost(node)
      yield* restartLater(node)
    })

  /** Damage to the node's log file, durably. */
  const damageLog = (node: NodeId, how: (bytes: Uint8Array) => Effect.Effect<Option.Option<Damaged>>) => () =>
    Effect.gen(function*() {
      const disk = cluster.disks.get(node)!
      const file = logFileOf(node)
      const bytes = disk.contents(file)
      const damaged = bytes === undefined ? Option.none() : yield* how(bytes)
      if (Option.isNone(damaged)) return Option.none()
      yield* Effect.orDie(disk.replaceContents(file, damaged.value.bytes))
      return Option.some(`${file}: ${damaged.value.where}`)
    })

  /** A fault on a disk for a window of time; the disk heals when the last window of that fault on it ends. */
  const forAWhile = (node: NodeId, kind: DiskFaultKind, what: string, start: () => void, heal: () => void) =>
    Effect.gen(function*() {
      const windowMs = yield* Random.nextIntBetween(50, 3 * options.electionTimeoutMaxMs + 1)
      const endsMs = (yield* Clock.currentTimeMillis) + windowMs
      const window = { endsMs }
      // A full disk and a failing one set the same error: each window ending heals the other's too.
      const key = `${node} ${kind === "slow-fsync" ? "stall" : "error"}`
      cluster.note(`nemesis: ${kind} on ${node} for ${windowMs} ms: ${what}`)
      strike(node, { levelAt: 0, windowEndsMs: endsMs })
      if (endsMs >= (latestWindow.get(key)?.endsMs ?? 0)) latestWindow.set(key, window)
      start()
      yield* Effect.forkScoped(Effect.gen(function*() {
        yield* Effect.sleep(windowMs)
        if (latestWindow.get(key) !== window) return
        cluster.note(`nemesis: ${kind} on ${node} ends`)
        heal()
        // A node that stopped on its disk's error is started again, as an operator would once the disk is fixed.
        if (!cluster.isRunning(node)) yield* restartLater(node)
      }))
    })

  const inject = (kind: DiskFaultKind) =>
    Effect.gen(function*() {
      const chosen = yield* target(kind)
      if (Option.isNone(chosen)) return
      const node = chosen.value
      const disk = cluster.disks.get(node)!
      switch (kind) {
        case "bitflip":
          return yield* atRest(node, kind, damageLog(node, flipBit))
        case "torn-suffix":
          return yield* atRest(node, kind, damageLog(node, cutInsideRecord))
        case "lost-suffix":
          return yield* atRest(node, kind, damageLog(node, cutSuffix))
        case "wipe":
          return yield* atRest(node, kind, () =>
            Effect.sync(() => {
              const gone = disk.wipe(logDirectory)
              return gone.length === 0 ? Option.none() : Option.some(`${gone.join(", ")} gone`)
            }))
        case "disk-full":
          return yield* forAWhile(node, kind, "every write refused with ENOSPC", () => disk.inject({ on: "write", code: "ENOSPC" }),
            () => disk.inject(null))
        case "disk-error":
          return yield* forAWhile(node, kind, "every fsync fails with EIO", () => disk.inject({ on: "fsync", code: "EIO" }),
            () => disk.inject(null))
        case "slow-fsync": {
          const maxMs = yield* Random.nextIntBetween(options.electionTimeoutMaxMs, 3 * options.electionTimeoutMaxMs + 1)
          return yield* forAWhile(node, kind, `fsyncs stall up to ${maxMs} ms more`, () => disk.slowFsyncs(maxMs), () => disk.slowFsyncs(0))
        }
      }
    })

  /** Every disk healed, as the faults end. */
  const healAll = Effect.sync(() => {
    for (const disk of cluster.disks.values()) {
      disk.inject(null)
      disk.slowFsyncs(0)
    }
  })

  /** The nodes struck now, and whether each lost storage (as of the last fault drawn). */
  const struckNodes = (): ReadonlyMap<NodeId, { readonly lostStorage: boolean }> =>
    new Map([...struck].map(([node, fault]) => [node, { lostStorage: fault.levelAt > 0 }]))

  return { inject, healAll, struckNodes }
}
