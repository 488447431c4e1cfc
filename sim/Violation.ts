import type { NodeId } from "../src/protocol/envelope.js"

/** A broken safety property, found at `atMs` simulated milliseconds. */
export interface Violation {
  readonly atMs: number
  readonly invariant:
    | "one leader per term"
    | "log matching"
    | "committed entries stay"
    | "leader completeness"
    | "commit index never goes back"
    | "applied in order"
    | "applied sequences agree"
    | "node failure"
    | "linearizability"
  readonly node?: NodeId
  readonly detail: string
}
