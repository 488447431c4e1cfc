import { HashMap } from "effect"
import { emptyKvStore, type KvStore } from "../../src/kv/KvStore.js"
import { canonicalJson } from "../../foundation/json.js"
import type { KvReply } from "../../src/protocol/kvMessages.js"
import { applyKvRequest, type ServiceKvRequest } from "./kvRequests.js"

/**
 * One replica of Maelstrom's `lww-kv`: a store, the Lamport time each key was
 * last changed at, and the replica's Lamport clock.
 */
export interface LwwReplica {
  readonly store: KvStore
  readonly stamps: HashMap.HashMap<string, number>
  readonly clock: number
}

/**
 * Maelstrom's `lww-kv`: independent replicas (two, as Maelstrom runs it).
 * Each request first gossips one replica into another (both drawn at random,
 * possibly the same), then goes to a third random replica, so a client may
 * read a stale value, or a key's absence, and two writes may race; the later
 * Lamport stamp wins a merge.
 */
export type LastWriterWinsKv = ReadonlyArray<LwwReplica>

export const lwwReplicaCount = 2

export const emptyLastWriterWinsKv: LastWriterWinsKv = Array.from({ length: lwwReplicaCount }, () => ({
  store: emptyKvStore,
  stamps: HashMap.empty(),
  clock: 0
}))

/** A request on one replica: a change is stamped with the replica's clock, which then ticks. No create_if_not_exists, as in Maelstrom. */
const applyOnReplica = (replica: LwwReplica, request: ServiceKvRequest): readonly [KvReply, LwwReplica] => {
  const [reply, store] = applyKvRequest(replica.store, request, false)
  if (store === replica.store) return [reply, replica]
  return [reply, { store, stamps: HashMap.set(replica.stamps, canonicalJson(request.key), replica.clock), clock: replica.clock + 1 }]
}

/**
 * `source` gossiped into `into`: the later clock, and per key the value with
 * the later stamp (the source's on a tie, as in Maelstrom).
 */
export const mergeReplicas = (source: LwwReplica, into: LwwReplica): LwwReplica => {
  let { stamps, store } = into
  for (const [key, stamp] of source.stamps) {
    const held = HashMap.get(into.stamps, key)
    if (held._tag === "Some" && held.value > stamp) continue
    stamps = HashMap.set(stamps, key, stamp)
    store = HashMap.set(store, key, HashMap.unsafeGet(source.store, key))
  }
  return { store, stamps, clock: Math.max(source.clock, into.clock) }
}

/** The replica numbers a request uses, drawn by the caller, each in 0 .. replicas - 1. */
export interface LwwChoices {
  readonly gossipFrom: number
  readonly gossipInto: number
  readonly replica: number
}

export const applyLastWriterWins = (
  kv: LastWriterWinsKv,
  request: ServiceKvRequest,
  choices: LwwChoices
): readonly [KvReply, LastWriterWinsKv] => {
  const gossiped = kv.map((replica, i) => (i === choices.gossipInto ? mergeReplicas(kv[choices.gossipFrom]!, replica) : replica))
  const [reply, changed] = applyOnReplica(gossiped[choices.replica]!, request)
  return [reply, gossiped.map((replica, i) => (i === choices.replica ? changed : replica))]
}
