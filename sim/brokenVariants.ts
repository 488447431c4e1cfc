import { Effect } from "effect"
import { makeMemoryLog } from "../layers/MemoryLog.js"
import type { NetworkShape } from "../services/Network.js"
import type { MemoryLogStorage } from "../layers/MemoryLog.js"
import type { LogShape } from "../services/Log.js"

/** How a node opens its Log from its durable storage, at every start (the product's is `makeMemoryLog`). */
export type OpenLog = (storage: MemoryLogStorage) => LogShape

/**
 * A deliberately broken node, made by swapping one of its services (its Log,
 * or its view of the Network) rather than by any test-only branch in the
 * Raft code.
 */
export interface BrokenVariant {
  readonly openLog?: OpenLog
  readonly wrapNetwork?: (network: NetworkShape) => NetworkShape
}

/**
 * Only tests and the simulator's `--broken` option use these: they show that
 * the simulator finds the kind of bug it is there to find, safety and
 * liveness alike.
 */
export const brokenVariants = {
  /**
   * The term and vote are not durable: a restarted node is back at term 0
   * with no vote, so it can vote a second time in a term it already voted
   * in, and two leaders can be elected in one term.
   */
  "forget-vote": {
    openLog: (storage) => {
      storage.hardState = { term: 0, votedFor: null }
      return makeMemoryLog(storage)
    }
  },
  /**
   * Deleting a conflicting suffix also deletes the entry before it, which
   * matched the leader's: the entries appended next land one index too
   * early, and a committed entry can be lost.
   */
  "truncate-one-more": {
    openLog: (storage) => {
      const log = makeMemoryLog(storage)
      return { ...log, truncateFrom: (index) => Effect.suspend(() => log.truncateFrom(index - 1)) }
    }
  },
  /**
   * Every vote reply a candidate receives says "not granted" (PreVote and
   * vote alike): no node ever becomes leader. Nothing unsafe ever happens;
   * the cluster only never serves anything.
   */
  "votes-never-granted": {
    wrapNetwork: (network) => ({
      ...network,
      rpc: (dest, body, timeout) =>
        Effect.map(network.rpc(dest, body, timeout), (reply) =>
          reply.type === "request_vote_result" ? { ...reply, vote_granted: false } : reply)
    })
  },
  /**
   * Every AppendEntries a leader sends says that nothing is committed:
   * followers never commit or apply anything, while the leader serves every
   * request (it commits by counting replicas, and followers forward to it).
   * Nothing unsafe and no wrong answer: only the nodes never converge.
   */
  "followers-never-commit": {
    wrapNetwork: (network) => ({
      ...network,
      rpc: (dest, body, timeout) =>
        network.rpc(dest, body.type === "append_entries" ? { ...body, leader_commit: 0 } : body, timeout)
    })
  },
  /**
   * A new leader's no-op entry never reaches the log (the log drops no-op
   * commands). Nothing of the leader's own term is committed until a client
   * writes, so reads, which wait for such an entry, hang when no write comes.
   */
  "no-leader-noop": {
    openLog: (storage) => {
      const log = makeMemoryLog(storage)
      return { ...log, append: (entries) => log.append(entries.filter((entry) => entry.command.type !== "noop")) }
    }
  }
} satisfies Record<string, BrokenVariant>

export type BrokenVariantName = keyof typeof brokenVariants
