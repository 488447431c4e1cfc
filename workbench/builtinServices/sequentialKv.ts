import { emptyKvStore, type KvStore } from "../../src/kv/KvStore.js"
import type { KvReply } from "../../src/protocol/kvMessages.js"
import { applyKvRequest, type ServiceKvRequest, storeUnchanged } from "./kvRequests.js"

/**
 * Maelstrom's `seq-kv`: sequentially consistent, not linearizable. The
 * service keeps its last states (state i is the store after the i-th change)
 * and, per client (the `src` of a request), the newest state that client has
 * seen. A request is tried on a random state between that one and the newest:
 * if it changes nothing there (a read, a failed cas, a write of the value
 * already held) it is answered from there, so a client may read the past but
 * never goes back in time; otherwise it is applied to the newest state, which
 * becomes a new state. One total order, each client's view monotonic.
 */
export interface SequentialKv {
  /** The kept states, oldest first; the last is state number `newest`. */
  readonly states: ReadonlyArray<KvStore>
  readonly newest: number
  /** Per client, the number of the newest state it has seen. */
  readonly seen: ReadonlyMap<string, number>
}

/** How many past states are kept, as in Maelstrom. */
export const keptStates = 32

export const emptySequentialKv: SequentialKv = { states: [emptyKvStore], newest: 0, seen: new Map() }

/**
 * The states `client` may be served from, as numbers: from the newest it has
 * seen (or the oldest still kept, if that one was dropped) to the newest.
 */
export const servableStates = (kv: SequentialKv, client: string): { readonly from: number; readonly to: number } => {
  const oldestKept = kv.newest - kv.states.length + 1
  return { from: Math.max(oldestKept, kv.seen.get(client) ?? 0), to: kv.newest }
}

/** One request by `client`, tried on state number `chosen` (one of `servableStates`, drawn by the caller). */
export const applySequential = (
  kv: SequentialKv,
  client: string,
  request: ServiceKvRequest,
  chosen: number
): readonly [KvReply, SequentialKv] => {
  const { from, to } = servableStates(kv, client)
  if (!Number.isInteger(chosen) || chosen < from || chosen > to) {
    throw new RangeError(`seq-kv: state ${chosen} is not servable to ${client} (states ${from} to ${to})`)
  }
  const stateAt = (n: number) => kv.states[n - kv.newest + kv.states.length - 1]!
  const seenNow = (n: number) => new Map(kv.seen).set(client, n)
  const past = stateAt(chosen)
  const [reply, after] = applyKvRequest(past, request, true)
  if (storeUnchanged(past, after, request.key)) return [reply, { ...kv, seen: seenNow(chosen) }]
  const [latestReply, next] = applyKvRequest(stateAt(kv.newest), request, true)
  const newest = kv.newest + 1
  return [latestReply, { states: [...kv.states, next].slice(-keptStates), newest, seen: seenNow(newest) }]
}
