import type { NodeId } from "../../services/Network.js"

/**
 * The text of error 11 from a counter node that does not lead: it names the
 * leader the node knows, so that a client can take its request there (the
 * counter forwards nothing). `leaderNamedIn` reads it back.
 */
export const notLeaderText = (term: number, leaderId: NodeId | null): string =>
  leaderId === null
    ? `not the leader in term ${term}, and no leader heard from recently`
    : `not the leader in term ${term}; the leader is ${leaderId}`

/** The leader an error's text names, or null when it names none. */
export const leaderNamedIn = (text: string): NodeId | null => /; the leader is (\S+)$/.exec(text)?.[1] ?? null
