import { Effect, Random } from "effect"
import type { NodeId } from "../src/protocol/envelope.js"
import type { SimCluster } from "./SimCluster.js"
import { randomPick } from "../foundation/randomPick.js"

export interface PauseFaultOptions {
  /** The nodes' longest election timeout: a pause lasts up to three of them, so a paused leader is often replaced. */
  readonly electionTimeoutMaxMs: number
}

/**
 * The "pause" fault (sim/NodeClock.ts): a running node frozen as by
 * SIGSTOP, then resumed as by SIGCONT with the state it had, timers and
 * messages that came due meanwhile all at once. Half the time the node is
 * the leader (the pause that tests what a leader whose lease ran out may
 * answer), otherwise any running node. The pause lasts 1 ms to three
 * longest election timeouts, uniformly, while the next faults go on. One
 * node is paused at a time, so that the others can elect a leader: a pause
 * action while one is paused resumes it instead, early.
 */
export const makePauseFaults = (cluster: SimCluster, options: PauseFaultOptions) => {
  const runningNodes = () => cluster.nodeIds.filter((node) => cluster.isRunning(node) && !cluster.isPaused(node))
  const leader = (): NodeId | undefined => {
    let found: { readonly node: NodeId; readonly term: number } | undefined
    for (const [node, { role, term }] of cluster.currentRoles()) {
      if (role === "leader" && !cluster.isPaused(node) && (found === undefined || term > found.term)) found = { node, term }
    }
    return found?.node
  }
  return {
    inject: Effect.gen(function*() {
      const paused = cluster.nodeIds.find((node) => cluster.isPaused(node))
      if (paused !== undefined) {
        cluster.note(`nemesis: resume ${paused}`)
        return yield* cluster.resume(paused)
      }
      const candidates = runningNodes()
      if (candidates.length === 0) return
      const lead = leader()
      const node = lead !== undefined && (yield* Random.nextBoolean)
        ? lead
        : yield* randomPick(candidates)
      const pausedMs = yield* Random.nextIntBetween(1, 3 * options.electionTimeoutMaxMs + 1)
      cluster.note(`nemesis: pause ${node} for ${pausedMs} ms`)
      yield* cluster.pause(node)
      yield* Effect.forkScoped(Effect.delay(cluster.resume(node), pausedMs))
    }),
    /** The faults end: every paused node resumes. */
    resumeAll: Effect.forEach(cluster.nodeIds, (node) => cluster.resume(node), { discard: true })
  }
}
