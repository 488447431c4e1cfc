import { Effect } from "effect"
import { checkCounterHistory } from "../../checker/counter/check.js"
import type { CounterHistoryOp } from "../../checker/counter/history.js"
import { type HistoryRecorder, makeHistoryRecorder } from "../../linkv/historyRecorder.js"
import { applyToCounter, counterToJson, initialCounter } from "../../src/counter/Counter.js"
import type { CounterCommand } from "../../src/counter/counterMessages.js"
import { runCounterNode } from "../../src/counter/CounterNode.js"
import { CounterStateMachine } from "../../src/counter/CounterStateMachine.js"
import { simCheckerBudget } from "../checkerBudget.js"
import type { LivenessProbe, ReplicaState, SimApplication } from "../SimApplication.js"
import type { SimCluster } from "../SimCluster.js"
import type { Violation } from "../Violation.js"
import { type CounterOp, performCounterOperation, redirectOf } from "./counterClient.js"
import { runCounterClients } from "./counterClients.js"

/** The counter as the invariant monitor folds adds into it. */
const counterReplica = (value: number): ReplicaState => ({
  apply: (command) => counterReplica(applyToCounter(value, command as CounterCommand)[1]),
  snapshot: () => [counterToJson(value)]
})

/**
 * An operation through a node as a fresh client process, recorded like any
 * other: a node that does not lead must name the leader, where the client
 * then sends the operation again.
 */
const probe = (cluster: SimCluster, recorder: HistoryRecorder<CounterHistoryOp>, op: CounterOp): LivenessProbe => ({
  description: op.f === "add" ? `an add of ${op.delta}` : "a read of the counter",
  attempt: (node, process, timeoutMs) =>
    Effect.scoped(Effect.gen(function*() {
      const endpoint = yield* cluster.client(`c${process}`)
      const outcome = yield* performCounterOperation(cluster, recorder, endpoint, process, node, op, timeoutMs)
      const leader = redirectOf(outcome)
      return leader === null || leader === node
        ? outcome
        : yield* performCounterOperation(cluster, recorder, endpoint, process, leader, op, timeoutMs)
    }))
})

const linearizabilityViolation = (history: ReadonlyArray<CounterHistoryOp>): Violation | null => {
  const result = checkCounterHistory(history, simCheckerBudget)
  switch (result.verdict) {
    case "valid":
      return null
    case "unknown":
      return { atMs: 0, invariant: "linearizability", detail: `the counter: the checker could not decide (${result.reason})` }
    case "invalid": {
      const { operation, summary } = result.failure!
      return { atMs: Math.round((operation.completeTime ?? 0) / 1e6), invariant: "linearizability", detail: `the counter: ${summary}` }
    }
  }
}

/**
 * The counter (src/counter) on the simulator: its nodes, its semantics for
 * the invariant monitor, its clients (counterClients.ts), a read and then an
 * add through every node once the faults end (a node that does not lead
 * must name the leader, who must serve them), and its own linearizability
 * check (checker/counter).
 */
export const counterSimApplication: SimApplication = {
  runNode: Effect.provide(runCounterNode, CounterStateMachine),
  initialState: counterReplica(initialCounter),
  workload: (cluster) =>
    Effect.map(makeHistoryRecorder<CounterHistoryOp>(0n), (recorder) => ({
      runClients: (options) => runCounterClients(cluster, recorder, options),
      livenessProbes: Effect.succeed(() => [probe(cluster, recorder, { f: "read" }), probe(cluster, recorder, { f: "add", delta: 1 })]),
      recorded: Effect.map(recorder.lines, (lines) => ({ operations: lines, linearizability: () => linearizabilityViolation(lines) }))
    }))
}
