import { Context, Data, type Effect, type Either, type Queue } from "effect"

/** A node or client id: `n1`, `n2`, ... for servers, `c1`, `c2`, ... for clients. */
export type NodeId = string

/**
 * A message body: a `type`, optional `msg_id` / `in_reply_to`, and the
 * type's own fields, which only the receiver of that type reads.
 */
export interface Body {
  readonly type: string
  readonly msg_id?: number
  readonly in_reply_to?: number
  readonly [field: string]: unknown
}

/** One message: `{"src": ..., "dest": ..., "body": {...}}`. */
export interface Envelope {
  readonly src: NodeId
  readonly dest: NodeId
  readonly body: Body
}

/** An RPC whose reply did not arrive in time: the request may or may not have had its effect. */
export class RpcTimeout extends Data.TaggedError("RpcTimeout")<{
  readonly dest: NodeId
  readonly type: string
}> {}

/**
 * The node's view of the network, available once the node knows who it is
 * (after Maelstrom's init, or at once in a simulated cluster).
 */
export interface NetworkShape {
  /** This node's id. */
  readonly self: NodeId
  /** Every server node of the cluster, this one included, in the same order on every node. */
  readonly nodeIds: ReadonlyArray<NodeId>
  /** Answers a received message (sets `in_reply_to` to its `msg_id`). */
  readonly reply: (request: Envelope, body: Body) => Effect.Effect<void>
  /** Sends a request with a fresh `msg_id` and waits up to `timeoutMs` for the reply that names it. */
  readonly rpc: (dest: NodeId, body: Body, timeoutMs: number) => Effect.Effect<Body, RpcTimeout>
  /**
   * Sends a request as `rpc` does, without waiting: `onAnswer` gets the reply,
   * or RpcTimeout once `timeoutMs` have passed without one, exactly once. It
   * runs on whichever fiber delivers the reply or times the request out, so
   * it must not block; nothing is left waiting for a request nobody needs.
   */
  readonly rpcThen: (
    dest: NodeId,
    body: Body,
    timeoutMs: number,
    onAnswer: (answer: Either.Either<Body, RpcTimeout>) => Effect.Effect<void>
  ) => Effect.Effect<void>
  /** Every received message that is not a reply to one of our RPCs. */
  readonly incoming: Queue.Dequeue<Envelope>
}

export class Network extends Context.Tag("effect-raft-kv/Network")<Network, NetworkShape>() {}
