import { HashMap } from "effect"
import { canonicalJson, type Json } from "../../foundation/json.js"
import type { KvStore } from "./KvStore.js"
import type { KvCommand } from "./LinKvState.js"

/**
 * How much of the store's snapshot text one pair takes: its key's canonical
 * text, its value's JSON text, and the brackets and commas around them
 * (`[key,value],`). Counted in characters, as a string's length counts them
 * (bytes for ASCII): what a state held as one string runs out of.
 */
export const pairSize = (keyText: string, value: Json): number => keyText.length + JSON.stringify(value).length + 4

/** The whole store's size, pair by pair (on restore; apply keeps the count by `kvGrowth`). */
export const kvStoreSize = (store: KvStore): number => {
  let size = 0
  for (const [key, value] of store) size += pairSize(key, value)
  return size
}

/**
 * How much applying `command` would grow the store (negative when it
 * shrinks it, 0 when it changes nothing): what the quota weighs.
 */
export const kvGrowth = (store: KvStore, command: KvCommand): number => {
  const key = canonicalJson(command.key)
  const current = HashMap.get(store, key)
  if (command.type === "write") {
    return pairSize(key, command.value) - (current._tag === "Some" ? pairSize(key, current.value) : 0)
  }
  // A cas changes the store only when the key holds `from`.
  if (current._tag === "None" || canonicalJson(current.value) !== canonicalJson(command.from)) return 0
  return pairSize(key, command.to) - pairSize(key, current.value)
}
