import type { NodeId } from "../protocol/envelope.js"

export type Role = "follower" | "candidate" | "leader"

/** A node's role changed: what it is now, in which term, and whom it follows (itself when leading). */
export interface RoleChange {
  readonly term: number
  readonly role: Role
  readonly leaderId: NodeId | null
}
