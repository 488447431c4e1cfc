import { Context, type Effect } from "effect"

/**
 * How a node tells whoever started it (Maelstrom's `init`) that it is ready,
 * once every service it needs is built, or why it cannot start.
 */
export interface NodeStartupShape {
  readonly ready: Effect.Effect<void>
  readonly cannotStart: (reason: string) => Effect.Effect<void>
}

export class NodeStartup extends Context.Tag("effect-raft-kv/NodeStartup")<NodeStartup, NodeStartupShape>() {}
