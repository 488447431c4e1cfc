import { Context } from "effect"

/**
 * The counter application's own safety decision, as one record it consults;
 * the simulator swaps it for a deliberately broken one, as it does Raft's
 * rules (src/raft/RaftRules.ts).
 */
export interface CounterRulesShape {
  /** Whether any node answers a read at once from its own state, without a read barrier. */
  readonly readsWithoutBarrier: boolean
}

export const productCounterRules: CounterRulesShape = { readsWithoutBarrier: false }

export class CounterRules extends Context.Reference<CounterRules>()("effect-raft-kv/CounterRules", {
  defaultValue: () => productCounterRules
}) {}
