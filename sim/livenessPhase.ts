import { Clock, Effect } from "effect"
import type { RaftConfigShape } from "../services/RaftConfig.js"
import type { NodeId } from "../src/protocol/envelope.js"
import type { LivenessProbe } from "./SimApplication.js"
import type { SimCluster } from "./SimCluster.js"
import type { Violation } from "./Violation.js"

/**
 * How long a whole cluster (every node running, network healed, no message
 * faults) may take to serve again. Up to three election attempts, each a
 * randomized timeout of at most `electionTimeoutMaxMs` followed by a PreVote
 * round and a vote round of at most `rpcTimeoutMs` each: room for a split
 * vote or a PreVote refused by nodes that still heard the old leader. Then
 * one client timeout: the first probe may reach a node that still believes
 * in a deposed leader and wait out its request.
 */
export const livenessBoundMs = (config: RaftConfigShape, clientTimeoutMs: number): number =>
  3 * (config.electionTimeoutMaxMs + 2 * config.rpcTimeoutMs) + clientTimeoutMs

/** Between two polls of the cluster's state, and between a failed probe and its retry. */
const pollMs = 10

export interface LivenessOptions {
  /** See `livenessBoundMs`; counted from the start of the phase. */
  readonly boundMs: number
  readonly clientTimeoutMs: number
  /** The first process number no workload client used. */
  readonly firstProcess: number
  /** The application's probes through the node at `position` (sim/SimApplication.ts), in order. */
  readonly probesThrough: (node: NodeId, position: number) => ReadonlyArray<LivenessProbe>
}

/** The first condition not met, or how long the cluster took to meet them all. */
export type LivenessResult =
  | { readonly _tag: "Recovered"; readonly afterMs: number }
  | { readonly _tag: "Violated"; readonly violation: Violation }

type Check = { readonly _tag: "Holds"; readonly leader: NodeId } | { readonly _tag: "Fails"; readonly node: NodeId;
  readonly problem: string }

const describeRole = (cluster: SimCluster, node: NodeId) => {
  const role = cluster.currentRoles().get(node)
  if (role === undefined) return `${node} ${cluster.isRunning(node) ? "follower of nobody since its start" : "not running"}`
  return `${node} ${role.role}${role.role === "follower" ? ` of ${role.leaderId ?? "nobody"}` : ""} in term ${role.term}`
}

/** Exactly one leader, and every other node a follower of it in its term. */
const singleLeader = (cluster: SimCluster): Check => {
  const roles = cluster.currentRoles()
  const leaders = [...roles].filter(([, r]) => r.role === "leader")
  const states = cluster.nodeIds.map((node) => describeRole(cluster, node)).join(", ")
  const first = leaders[0]
  if (leaders.length !== 1 || first === undefined) {
    return { _tag: "Fails", node: leaders[1]?.[0] ?? cluster.nodeIds[0]!, problem: `${leaders.length} leaders: ${states}` }
  }
  const [leader, { term }] = first
  const stray = cluster.nodeIds.find((node) => {
    const role = roles.get(node)
    return node !== leader && !(role?.role === "follower" && role.term === term && role.leaderId === leader)
  })
  return stray === undefined
    ? { _tag: "Holds", leader }
    : { _tag: "Fails", node: stray, problem: `${stray} does not follow ${leader}: ${states}` }
}

/** A single leader, and every node has applied exactly what that leader has committed. */
const appliedConverged = (cluster: SimCluster): Check => {
  const led = singleLeader(cluster)
  if (led._tag === "Fails") return led
  const committed = cluster.currentReport(led.leader)?.commitIndex ?? 0
  const applied = cluster.nodeIds.map((node) => [node, cluster.currentReport(node)?.lastApplied ?? 0] as const)
  const behind = applied.find(([, index]) => index !== committed)
  return behind === undefined ? led : {
    _tag: "Fails",
    node: behind[0],
    problem: `applied indexes ${applied.map(([node, index]) => `${node} ${index}`).join(", ")}; leader ${led.leader} committed ${committed}`
  }
}

/**
 * The phase after the faults end, on a whole cluster. Within `boundMs`:
 * exactly one leader that every node follows; then, through every node in
 * turn, the application's probes that succeed (retried until they do; for
 * lin-kv a read and then a write of a fresh key, the read first, so a
 * leader that cannot serve reads is caught even when no write would come);
 * then every node's applied index equal to the leader's commit index. The
 * probes go into the history like any client operation, so the checker
 * judges their values too. Returns the first condition not met, naming the
 * node.
 */
export const runLivenessPhase = (cluster: SimCluster, options: LivenessOptions): Effect.Effect<LivenessResult> =>
  Effect.gen(function*() {
    const startMs = yield* Clock.currentTimeMillis
    const deadlineMs = startMs + options.boundMs
    const within = `within ${options.boundMs} ms of ${startMs} ms, when the faults had ended and the workload stopped`
    cluster.note(`liveness: every fault lifted; checking recovery ${within}`)
    const violation = (node: NodeId, detail: string): LivenessResult => ({
      _tag: "Violated",
      violation: { atMs: deadlineMs, invariant: "liveness", node, detail: `${detail}, ${within}` }
    })

    const awaitCheck = (check: () => Check) =>
      Effect.gen(function*() {
        while (true) {
          const result = check()
          if (result._tag === "Holds" || (yield* Clock.currentTimeMillis) >= deadlineMs) return result
          yield* Effect.sleep(pollMs)
        }
      })

    const led = yield* awaitCheck(() => singleLeader(cluster))
    if (led._tag === "Fails") return violation(led.node, `no single leader that every node follows (${led.problem})`)

    let process = options.firstProcess
    /** One probe through `node`, tried again (as a fresh client) until ok or the deadline; the last outcome. */
    const probe = (node: NodeId, { attempt }: LivenessProbe) =>
      Effect.gen(function*() {
        while (true) {
          const now = yield* Clock.currentTimeMillis
          const timeoutMs = Math.max(1, Math.min(options.clientTimeoutMs, deadlineMs - now))
          const outcome = yield* attempt(node, process++, timeoutMs)
          if (outcome.type === "ok" || (yield* Clock.currentTimeMillis) >= deadlineMs) return outcome
          yield* Effect.sleep(pollMs)
        }
      })

    for (const [i, node] of cluster.nodeIds.entries()) {
      for (const probed of options.probesThrough(node, i)) {
        const outcome = yield* probe(node, probed)
        if (outcome.type !== "ok") {
          const error = outcome.error === undefined ? "" : ` (error ${outcome.error.code}: ${outcome.error.text})`
          return violation(node, `${probed.description} through ${node} never succeeded: last ${outcome.type}${error}`)
        }
      }
    }

    const converged = yield* awaitCheck(() => appliedConverged(cluster))
    if (converged._tag === "Fails") return violation(converged.node, `the nodes did not converge (${converged.problem})`)
    const afterMs = (yield* Clock.currentTimeMillis) - startMs
    cluster.note(`liveness: recovered in ${afterMs} ms`)
    return { _tag: "Recovered", afterMs } as const
  })
