import { Context, type Effect } from "effect"
import type { StateMachineShape } from "../../services/StateMachine.js"
import type { KvReply, KvRequest, ReadRequest } from "../protocol/kvMessages.js"

/** A lin-kv command as the log carries it: a write or a cas, without the client's msg_id. */
export type KvCommand = Exclude<KvRequest, { readonly type: "read" }>

/** The store's size now, and how much a command would grow it (kvStoreSize.ts): what the quota weighs. */
export interface KvFootprint {
  readonly size: number
  readonly growth: number
}

/**
 * The lin-kv state machine as the application sees it, typed: the same one
 * Raft applies commands to (layers/KvStateMachine.ts provides both).
 */
export class LinKvState extends Context.Tag("effect-raft-kv/LinKvState")<
  LinKvState,
  StateMachineShape<KvCommand, KvReply, ReadRequest, KvReply> & {
    readonly footprint: (command: KvCommand) => Effect.Effect<KvFootprint>
  }
>() {}
