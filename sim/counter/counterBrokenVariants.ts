import { Layer } from "effect"
import { CounterRules, productCounterRules } from "../../src/counter/CounterRules.js"
import type { BrokenVariant } from "../brokenVariants.js"

/**
 * Deliberately broken counter nodes (see sim/brokenVariants.ts): the
 * simulator's judges must catch them on the counter as they do on lin-kv.
 */
export const counterBrokenVariants = {
  /** Every node, leader or not, answers a read at once from its own state, with no read barrier. */
  "reads-without-barrier": {
    applicationRules: Layer.succeed(CounterRules, { ...productCounterRules, readsWithoutBarrier: true })
  }
} satisfies Record<string, BrokenVariant>
