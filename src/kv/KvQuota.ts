import { Context } from "effect"

/** The default quota: half of V8's longest string, so that even a state held as one string stays well clear of it. */
export const defaultQuotaBytes = 256 * 1024 * 1024

/**
 * How large the lin-kv store may grow (as etcd's --quota-backend-bytes): a
 * write that would grow it past `quotaBytes` (kvStoreSize.ts) is refused
 * with a definite error; reads, and writes that do not grow it, still pass.
 */
export class KvQuota extends Context.Reference<KvQuota>()("effect-raft-kv/KvQuota", {
  defaultValue: (): { readonly quotaBytes: number } => ({ quotaBytes: defaultQuotaBytes })
}) {}
