import { Effect } from "effect"
import { checkHistory } from "../checker/check.js"
import type { HistoryOp } from "../checker/history.js"
import { KvStateMachine } from "../layers/KvStateMachine.js"
import { performOperation } from "../linkv/clientThread.js"
import { type HistoryRecorder, makeHistoryRecorder } from "../linkv/historyRecorder.js"
import type { Operation } from "../linkv/operation.js"
import { runKvNode } from "../src/kv/KvNode.js"
import { applyToKvStore, emptyKvStore, type KvStore, kvStoreToJson } from "../src/kv/KvStore.js"
import type { KvCommand } from "../src/kv/LinKvState.js"
import { simCheckerBudget } from "./checkerBudget.js"
import type { LivenessProbe, ReplicaState, SimApplication } from "./SimApplication.js"
import type { SimCluster } from "./SimCluster.js"
import { connectSimulatedClient, runSimulatedClients } from "./simulatedClients.js"
import type { Violation } from "./Violation.js"

/** A lin-kv store as the invariant monitor folds commands into it: the commands are what the lin-kv application proposes. */
const kvReplica = (store: KvStore): ReplicaState => ({
  apply: (command) => kvReplica(applyToKvStore(store, command as KvCommand)[1]),
  snapshot: () => kvStoreToJson(store)
})

/** An operation through a node as a fresh client process, recorded like any other. */
const probe = (cluster: SimCluster, recorder: HistoryRecorder, op: Operation): LivenessProbe => ({
  description: `a ${op.f} of key ${op.key}`,
  attempt: (node, process, timeoutMs) =>
    Effect.flatMap(
      connectSimulatedClient(cluster, process, node),
      (connection) => performOperation(recorder, connection, process, op, timeoutMs)
    )
})

/** Every key is a compare-and-set register: the first key that is not linearizable, or the checker's doubt. */
const linearizabilityViolation = (history: ReadonlyArray<HistoryOp>): Violation | null => {
  const result = checkHistory(history, { ...simCheckerBudget, stopAtFirstInvalid: true })
  if (result.verdict === "valid") return null
  const key = result.keys.find((k) => k.verdict !== "valid")!
  const explanation = key.explanation
  const failedAtNs = explanation?.failedOperation.completeTime ?? explanation?.failedOperation.invokeTime ?? 0
  return {
    atMs: Math.round(failedAtNs / 1e6),
    invariant: "linearizability",
    detail: result.verdict === "invalid"
      ? `key ${JSON.stringify(key.key)}: ${explanation?.summary ?? "not linearizable"}`
      : `key ${JSON.stringify(key.key)}: the checker could not decide (${key.reason ?? "budget"})`
  }
}

/**
 * The lin-kv store on the simulator, its default application: Maelstrom's
 * lin-kv clients (linkv/), and after the faults a read and then a write of
 * a fresh key through every node.
 */
export const linKvSimApplication: SimApplication = {
  runNode: Effect.provide(runKvNode, KvStateMachine),
  initialState: kvReplica(emptyKvStore),
  workload: (cluster) =>
    Effect.map(makeHistoryRecorder(0n), (recorder) => ({
      runClients: (options) => runSimulatedClients(cluster, recorder, options),
      livenessProbes: Effect.map(recorder.lines, (lines) => {
        const key = Math.max(-1, ...lines.map((op) => op.key as number)) + 1
        return (_node, position) => [
          probe(cluster, recorder, { f: "read", key }),
          probe(cluster, recorder, { f: "write", key, value: position % 5 })
        ]
      }),
      recorded: Effect.map(recorder.lines, (lines) => ({ operations: lines, linearizability: () => linearizabilityViolation(lines) }))
    }))
}
