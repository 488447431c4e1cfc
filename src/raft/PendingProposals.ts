import { Effect, Either } from "effect"
import { LeadershipLost, type ProposalError } from "./RaftErrors.js"
import type { Settlement } from "./Settlement.js"

const overwritten = new LeadershipLost({ reason: "leadership changed before the command committed; its entry was overwritten" })

/**
 * Proposals this node appended to its log as leader, waiting for their entry
 * to be applied. Each is known by (index, term): when index is applied with
 * that term, the proposal gets the state machine's result; when index is
 * applied with another term, the entry was overwritten and, by log matching,
 * can never commit, so it gets LeadershipLost. A proposal that timed out
 * meanwhile was settled already, and keeps that outcome.
 */
export interface PendingProposals {
  readonly register: (index: number, term: number, settlement: Settlement<unknown, ProposalError>) => void
  /** The entry at `index` was applied with `term`; `result` is the state machine's (undefined for a no-op). */
  readonly settle: (index: number, term: number, result: unknown) => Effect.Effect<void>
}

export const makePendingProposals = (): PendingProposals => {
  const waiting = new Map<number, { readonly term: number; readonly settlement: Settlement<unknown, ProposalError> }>()
  return {
    register: (index, term, settlement) => void waiting.set(index, { term, settlement }),
    settle: (index, term, result) =>
      Effect.suspend(() => {
        const proposal = waiting.get(index)
        if (proposal === undefined) return Effect.void
        waiting.delete(index)
        return proposal.settlement.settle(proposal.term === term ? Either.right(result) : Either.left(overwritten))
      })
  }
}
