import { Context } from "effect"

/**
 * The lin-kv application's own safety decisions, as one record it consults;
 * the simulator swaps one for a deliberately broken one (sim/brokenVariants.ts),
 * as it does Raft's rules (src/raft/RaftRules.ts).
 */
export interface LinKvRulesShape {
  /** Whether a follower answers reads from its own state instead of passing them to the leader. */
  readonly followersServeReads: boolean
  /** Whether a copy of a forward the leader already took is refused instead of proposed again. */
  readonly refusesDuplicates: boolean
}

export const productLinKvRules: LinKvRulesShape = {
  followersServeReads: false,
  refusesDuplicates: true
}

export class LinKvRules extends Context.Reference<LinKvRules>()("effect-raft-kv/LinKvRules", {
  defaultValue: () => productLinKvRules
}) {}
