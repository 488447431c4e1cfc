/** The linearizability checker's budget per key (or counter) in a simulated run: searches that big do not happen with a few hundred operations. */
export const simCheckerBudget = { maxConfigurations: 2_000_000, timeLimitMs: 60_000 }
