import type { Responder } from "./InFlightRequests.js"

/** A client's request this node passed on to `leaderId`, the leader of `term`, still unanswered. */
export interface PendingForward {
  readonly term: number
  readonly leaderId: string
  readonly responder: Responder
}

/**
 * The forwards this node has passed on and not yet had answered. Once it
 * learns of a later term than the one a forward named, that forward's
 * leader no longer leads, and its answer may never come (it is cut off, or
 * stopping): the forward is answered then, rather than after the request
 * timeout. The answer is indefinite, since the old leader may still have
 * committed it.
 */
export interface PendingForwards {
  readonly add: (forward: PendingForward) => void
  readonly remove: (forward: PendingForward) => void
  /** The forwards that named a term before `term`, taken out. */
  readonly takeBefore: (term: number) => ReadonlyArray<PendingForward>
}

export const makePendingForwards = (): PendingForwards => {
  const byTerm = new Map<number, Set<PendingForward>>()
  return {
    add: (forward) => {
      const forwards = byTerm.get(forward.term)
      if (forwards === undefined) byTerm.set(forward.term, new Set([forward]))
      else forwards.add(forward)
    },
    remove: (forward) => {
      const forwards = byTerm.get(forward.term)
      forwards?.delete(forward)
      if (forwards?.size === 0) byTerm.delete(forward.term)
    },
    takeBefore: (term) => {
      const taken: Array<PendingForward> = []
      for (const [named, forwards] of byTerm) {
        if (named >= term) continue
        taken.push(...forwards)
        byTerm.delete(named)
      }
      return taken
    }
  }
}
