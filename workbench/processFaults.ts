import { Effect, Option } from "effect"
import type { Cluster } from "./cluster.js"
import type { Fault, InjectedFault } from "./nemesis.js"
import type { KillSignal } from "./testOptions.js"
import { randomPick } from "../foundation/randomPick.js"

type NodeControl = Pick<Cluster, "runningNodes" | "kill" | "stop" | "restart" | "pause" | "resume">

/** One node drawn at random among those running normally (neither down, paused nor crashed); none when no node is. */
const randomRunningNode = (cluster: NodeControl): Effect.Effect<Option.Option<string>> =>
  Effect.gen(function*() {
    const running = yield* cluster.runningNodes
    if (running.length === 0) return Option.none()
    return Option.some(yield* randomPick(running))
  })

/** Strikes a random running node with `strike`; none when no node is running, or it stopped running meanwhile. */
const strikeRandomNode = (
  cluster: NodeControl,
  strike: (node: string) => Effect.Effect<boolean>,
  struck: (node: string) => InjectedFault
): Effect.Effect<Option.Option<InjectedFault>> =>
  Effect.gen(function*() {
    const node = yield* randomRunningNode(cluster)
    if (Option.isNone(node) || !(yield* strike(node.value))) return Option.none()
    return Option.some(struck(node.value))
  })

/**
 * Starts a killed node again as it was first started and sends it init. A
 * node that exits before answering init is a crash, listed with the crashes;
 * one that does not answer is the fault's problem, in words (`what` says
 * what was done to it).
 */
export const restartKilled = (
  cluster: Pick<Cluster, "restart">,
  node: string,
  what: string
): Effect.Effect<Option.Option<string>> =>
  cluster.restart(node).pipe(
    Effect.as(Option.none()),
    Effect.catchAll((error) =>
      Effect.succeed(
        error._tag === "NodeInitError" && error.exited
          ? Option.none()
          : Option.some(`${node} did not come back after it was ${what}: ${error.message}`)
      )
    )
  )

/**
 * `--nemesis kill`: SIGKILL a random node (with `--kill-signal term`, stop it
 * gracefully: SIGTERM, and SIGKILL only if it has not exited within the
 * grace period), then start it again (`restartKilled`).
 */
export const killFault = (cluster: NodeControl, signal: KillSignal): Fault => ({
  kind: "kill",
  inject: strikeRandomNode(cluster, signal === "term" ? cluster.stop : cluster.kill, (node) => ({
    description: signal === "term" ? `${node} stopped (SIGTERM)` : `${node} killed`,
    nodes: [node],
    heal: restartKilled(cluster, node, signal === "term" ? "stopped" : "killed")
  }))
})

/** `--nemesis pause`: SIGSTOP a random node, later SIGCONT. */
export const pauseFault = (cluster: NodeControl): Fault => ({
  kind: "pause",
  inject: strikeRandomNode(cluster, cluster.pause, (node) => ({
    description: `${node} paused`,
    nodes: [node],
    heal: Effect.as(cluster.resume(node), Option.none())
  }))
})
