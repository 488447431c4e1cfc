import type { HistoryOp } from "../../checker/history.js"
import type { Json } from "../../foundation/json.js"

/**
 * Linearizable lin-kv histories for the benchmark, made by simulating a
 * correct store: every op takes effect at one instant inside its interval
 * (so the history is valid by construction), with Jepsen-like clients, keys
 * and indeterminate ops.
 */
export interface GeneratorConfig {
  readonly seed: number
  /** Client operations (an invoke and its completion each). */
  readonly operations: number
  /** Groups of clients; each group works one key at a time. */
  readonly groups: number
  readonly clientsPerGroup: number
  /** Ops on a key before its group moves to a fresh key (Jepsen: about 100). */
  readonly opsPerKey: number
  /** Chance that an op times out (info); it then takes effect or not, at any later time. */
  readonly infoRate: number
  /** Values written and compared are drawn from 0..valueRange-1; 0 means every write is unique. */
  readonly valueRange: number
}

/** mulberry32: a small seeded generator, so every run of the benchmark sees the same histories. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), seed | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

interface Planned {
  process: number
  key: number
  f: "read" | "write" | "cas"
  arg: Json
  invoke: number
  complete: number
  /** When it takes effect; Infinity when it never does. */
  effect: number
  timedOut: boolean
  outcome: "ok" | "fail" | "info"
  result: Json
}

export const generateHistory = (config: GeneratorConfig): Array<HistoryOp> => {
  const rnd = random(config.seed)
  const int = (n: number) => Math.floor(rnd() * n)
  let unique = 0
  const value = () => (config.valueRange === 0 ? unique++ : int(config.valueRange))
  const planned: Array<Planned> = []
  const clients = config.groups * config.clientsPerGroup
  const clock = new Array<number>(clients).fill(0)
  const process = Array.from({ length: clients }, (_, i) => i)
  const opsOnKey = new Array<number>(config.groups).fill(0)
  const keyOf = Array.from({ length: config.groups }, (_, g) => g)
  let nextKey = config.groups
  for (let n = 0; n < config.operations; n++) {
    // The client that is free first goes next, as a closed-loop generator would.
    let c = 0
    for (let i = 1; i < clients; i++) if (clock[i]! < clock[c]!) c = i
    const group = Math.floor(c / config.clientsPerGroup)
    if (opsOnKey[group]! >= config.opsPerKey) {
      keyOf[group] = nextKey++
      opsOnKey[group] = 0
    }
    opsOnKey[group]!++
    const r = rnd()
    const f = r < 0.5 ? "read" : r < 0.75 ? "write" : "cas"
    const arg: Json = f === "read" ? null : f === "write" ? value() : [value(), value()]
    const invoke = clock[c]! + 1 + int(3)
    const latency = 2 + int(40)
    const timedOut = rnd() < config.infoRate
    const complete = invoke + (timedOut ? 200 : latency)
    // A timed-out op takes effect late, or never.
    // Strictly inside the interval (fractional, event times are whole), so ties cannot break real-time order.
    const effect = timedOut ? (rnd() < 0.5 ? invoke + 0.5 + rnd() * 2000 : Infinity) : invoke + 0.5 + rnd() * (latency - 1)
    planned.push({ process: process[c]!, key: keyOf[group]!, f, arg, invoke, complete, effect, timedOut, outcome: "ok", result: null })
    clock[c] = complete
    // Jepsen gives a client whose op timed out a fresh process id.
    if (timedOut) process[c] = process[c]! + clients
  }
  // Apply the ops in the order they take effect to find what each observed.
  const state = new Map<number, Json>()
  const byEffect = planned.filter((op) => op.effect !== Infinity).sort((a, b) => a.effect - b.effect)
  for (const op of byEffect) {
    const current = state.get(op.key)
    if (op.f === "read") op.result = current ?? null
    else if (op.f === "write") state.set(op.key, op.arg)
    else {
      const [from, to] = op.arg as [Json, Json]
      if (current !== undefined && current === from) state.set(op.key, to)
      else op.outcome = "fail"
    }
  }
  for (const op of planned) {
    // Reads fail on any error (they change nothing); a timed-out write or cas is info, whatever it did.
    if (op.timedOut) op.outcome = op.f === "read" ? "fail" : "info"
  }
  const events: Array<{ at: number; op: Planned; invoke: boolean }> = []
  for (const op of planned) {
    events.push({ at: op.invoke, op, invoke: true })
    events.push({ at: op.complete, op, invoke: false })
  }
  events.sort((a, b) => a.at - b.at || (a.invoke ? 1 : 0) - (b.invoke ? 1 : 0))
  return events.map(({ at, invoke, op }, index) => ({
    index,
    time: at * 1_000_000,
    process: op.process,
    type: invoke ? "invoke" : op.outcome,
    f: op.f,
    key: op.key,
    value: op.f === "read" ? (invoke || op.outcome !== "ok" ? null : op.result) : op.arg
  }))
}
