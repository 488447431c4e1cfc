import { Context, Data, type Effect } from "effect"
import type { Body } from "./Network.js"

/** A local client's request got no answer from the node in time: it may or may not have had its effect. */
export class GatewayTimeout extends Data.TaggedError("GatewayTimeout")<{
  readonly type: string
  readonly timeoutMs: number
}> {
  override get message(): string {
    return `the node did not answer ${this.type} within ${this.timeoutMs} ms`
  }
}

/**
 * A way into the node for clients that are not on its network (HTTP): a
 * request arrives as a message from a client of its own, with an id no
 * member can have, and the node's reply to that client is the answer. The
 * node serves it as it serves any client, forwarding and de-duplication included.
 */
export interface ClientGatewayShape {
  /** Hands `body` (without msg_id) to the node as a new client's request and waits up to `timeoutMs` for its reply. */
  readonly ask: (body: Body, timeoutMs: number) => Effect.Effect<Body, GatewayTimeout>
}

export class ClientGateway extends Context.Tag("effect-raft-kv/ClientGateway")<ClientGateway, ClientGatewayShape>() {}
