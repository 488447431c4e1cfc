import { ConfigurationCache } from "./configurationCache.js"
import { ILLEGAL, NEVER, type SearchProblem } from "./searchModel.js"

/** Limits for one key's search; past any of them the answer is "unknown". */
export interface SearchBudget {
  readonly maxConfigurations: number
  readonly maxMemoryBytes: number
  readonly timeLimitMs: number
  /** Milliseconds; only differences are used. */
  readonly clock: () => number
}

/** Every outcome says how many configurations the search remembered: its effort. */
export type SearchOutcome = (
  | { readonly _tag: "Linearizable" }
  | {
    readonly _tag: "NotLinearizable"
    /** The op (index in the problem) whose return the search could never get past. */
    readonly failedOp: number
    /** States of the configurations stuck there (at most 16). */
    readonly states: ReadonlyArray<number>
  }
  | { readonly _tag: "BudgetExhausted"; readonly reason: string }
) & { readonly configurations: number }

/**
 * `reductions: false` turns every reduction off, leaving plain WGL with an
 * exact memo: slower, simpler, and the reference the tests hold the fast
 * search to.
 */
export interface SearchTuning {
  readonly reductions: boolean
}

/**
 * Wing & Gong's search with Lowe's memo, for one object (the problem's
 * model: a register, a counter): events sit in a
 * doubly linked list in history order; at each step the search linearizes
 * some op whose invoke comes before the first pending return (removing its
 * events), and backtracks on reaching a return. A configuration (linearized
 * set, state) already seen is never explored twice.
 *
 * Indeterminate ops have no return event: they may be linearized at any
 * point after their invoke, or never; the search succeeds once every op with
 * a return is linearized. Sound reductions keep the tree small:
 * - an op with a return that cannot change the state (a read, a cas from x
 *   to x) and is legal now is linearized now, without trying the
 *   alternative: moving it earlier in any linearization keeps it valid;
 * - identical indeterminate ops are linearized in invoke order: swapping two
 *   of them in any linearization leaves it valid;
 * - an indeterminate op is only linearized where it changes the state, and
 *   never right before an op that overwrites the state (a register's write):
 *   there nothing observes it, and leaving it out keeps the linearization
 *   valid;
 * - a configuration is skipped when one with the same linearized ops with a
 *   return, the same state, and no more indeterminate ops used has already
 *   failed (see ConfigurationCache).
 */
export const searchLinearization = (
  problem: SearchProblem,
  budget: SearchBudget,
  tuning: SearchTuning = { reductions: true }
): SearchOutcome => {
  const result = run(problem, budget, -1, tuning.reductions)
  return result._tag === "Reached" ? { _tag: "Linearizable", configurations: 0 } : result
}

/**
 * Replays the same search until it first reaches the return of `target`
 * (found unplaceable by `searchLinearization`), and gives the ops then
 * linearized, in order: the longest prefix a person needs to see.
 */
export const linearizedPrefix = (
  problem: SearchProblem,
  target: number,
  budget: SearchBudget
): ReadonlyArray<number> | { readonly reason: string } => {
  const result = run(problem, budget, target, true)
  if (result._tag === "Reached") return result.prefix
  if (result._tag === "BudgetExhausted") return { reason: result.reason }
  throw new Error(`linearizedPrefix: the replay ended ${result._tag} without reaching op ${target}`)
}

type RunOutcome = SearchOutcome | { readonly _tag: "Reached"; readonly prefix: ReadonlyArray<number> }

const HEAD = 0
const END = -1
const ALL_ONES = 0xffffffff

const fmix = (h: number): number => {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return h ^ (h >>> 16)
}

/** Seeded, so a search (and its explanation replay) is deterministic. */
const zobristKeys = (n: number): Int32Array => {
  const keys = new Int32Array(n)
  let x = 0x2545f491
  for (let i = 0; i < n; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    keys[i] = x
  }
  return keys
}

/**
 * Identical indeterminate ops (same kind and arguments) form a class; for
 * each such op, its class and its rank in the class by invoke order. Other
 * ops get class -1.
 */
const indeterminateClasses = (p: SearchProblem): { classOf: Int32Array; rank: Int32Array; classes: number } => {
  const classOf = new Int32Array(p.size).fill(-1)
  const rank = new Int32Array(p.size)
  const ids = new Map<string, { id: number; members: number }>()
  for (let i = 0; i < p.size; i++) {
    if (p.ret[i] !== NEVER) continue
    const key = `${p.kind[i]},${p.a[i]},${p.b[i]}`
    let found = ids.get(key)
    if (found === undefined) {
      found = { id: ids.size, members: 0 }
      ids.set(key, found)
    }
    classOf[i] = found.id
    rank[i] = found.members++
  }
  return { classOf, rank, classes: ids.size }
}

const run = (p: SearchProblem, budget: SearchBudget, target: number, reductions: boolean): RunOutcome => {
  const n = p.size
  const { kind, a, b, ret } = p
  const { step } = p.model
  // What the model says of each op that does not depend on the state, asked once.
  const preserves = new Uint8Array(n)
  const overwrites = new Uint8Array(n)
  for (let i = 0; i < n; i++) {
    preserves[i] = p.model.preservesState(kind[i]!, a[i]!, b[i]!) ? 1 : 0
    overwrites[i] = p.model.overwrites(kind[i]!) ? 1 : 0
  }
  // Entry 0 is the head; op i has call entry 2i+1 and return entry 2i+2.
  const entries = 2 * n + 1
  const next = new Int32Array(entries)
  const prev = new Int32Array(entries)
  const events: Array<[number, number]> = []
  for (let i = 0; i < n; i++) {
    events.push([p.call[i]!, 2 * i + 1])
    if (ret[i] !== NEVER) events.push([ret[i]!, 2 * i + 2])
  }
  events.sort((x, y) => x[0] - y[0])
  let tail = HEAD
  for (const [, e] of events) {
    next[tail] = e
    prev[e] = tail
    tail = e
  }
  next[tail] = END

  // Removes an op's call and return from the list; restored in LIFO order.
  const lift = (call: number): void => {
    next[prev[call]!] = next[call]!
    if (next[call] !== END) prev[next[call]!] = prev[call]!
    const op = (call - 1) >> 1
    if (ret[op] !== NEVER) {
      const r = call + 1
      next[prev[r]!] = next[r]!
      if (next[r] !== END) prev[next[r]!] = prev[r]!
    }
  }
  const unlift = (call: number): void => {
    const op = (call - 1) >> 1
    if (ret[op] !== NEVER) {
      const r = call + 1
      next[prev[r]!] = r
      if (next[r] !== END) prev[next[r]!] = r
    }
    next[prev[call]!] = call
    if (next[call] !== END) prev[next[call]!] = call
  }

  // Ops with a return: a bitset over their rank in invoke order. Indeterminate
  // ops: a count per class; linearized in rank order within a class, so the
  // count says exactly which.
  // Without reductions, indeterminate ops are bits like the others.
  const bitOf = new Int32Array(n).fill(-1)
  let bits = 0
  for (let i = 0; i < n; i++) if (ret[i] !== NEVER || !reductions) bitOf[i] = bits++
  const { classOf, rank, classes } = reductions
    ? indeterminateClasses(p)
    : { classOf: new Int32Array(n).fill(-1), rank: new Int32Array(n), classes: 0 }
  const counts = new Int32Array(classes)
  const nWords = (bits + 31) >>> 5
  const words = new Uint32Array(nWords)
  let lo = 0
  let hi = -1
  let zobrist = 0
  const keys = zobristKeys(bits)
  const setBit = (bit: number): void => {
    const w = bit >>> 5
    words[w] = words[w]! | (1 << (bit & 31))
    zobrist ^= keys[bit]!
    if (w > hi) hi = w
    while (lo < nWords && words[lo] === ALL_ONES) lo++
  }
  const clearBit = (bit: number): void => {
    const w = bit >>> 5
    words[w] = words[w]! & ~(1 << (bit & 31))
    zobrist ^= keys[bit]!
    if (w < lo) lo = w
    while (hi >= 0 && words[hi] === 0) hi--
  }
  const mark = (op: number): void => {
    if (bitOf[op]! >= 0) setBit(bitOf[op]!)
    else counts[classOf[op]!]!++
  }
  const unmark = (op: number): void => {
    if (bitOf[op]! >= 0) clearBit(bitOf[op]!)
    else counts[classOf[op]!]!--
  }

  const cache = new ConfigurationCache(classes)
  const stackEntry = new Int32Array(n)
  const stackState = new Int32Array(n)
  const stackForced = new Uint8Array(n)
  const stackConfiguration = new Int32Array(n)
  let depth = 0
  let state = p.model.initial
  let remaining = 0
  for (let i = 0; i < n; i++) if (ret[i] !== NEVER) remaining++

  const started = budget.clock()
  let iterations = 0
  let bestReturn = -1
  let bestOp = -1
  const bestStates = new Set<number>()

  let entry = next[HEAD]!
  outer: for (;;) {
    if (remaining === 0) return { _tag: "Linearizable", configurations: cache.size }
    if ((++iterations & 4095) === 0 && budget.clock() - started > budget.timeLimitMs) {
      return {
        _tag: "BudgetExhausted",
        reason: `time limit of ${budget.timeLimitMs} ms per key`,
        configurations: cache.size
      }
    }
    if ((entry & 1) === 1) {
      const op = (entry - 1) >> 1
      const indeterminate = classOf[op]! >= 0
      const forced = reductions && !indeterminate && preserves[op] === 1
      // An indeterminate op waits for the identical ones invoked before it;
      // an op that overwrites the state right after an indeterminate op would make that op useless.
      const afterIndeterminate = depth > 0 && classOf[(stackEntry[depth - 1]! - 1) >> 1]! >= 0
      if (
        (!indeterminate || rank[op] === counts[classOf[op]!]) && !(afterIndeterminate && overwrites[op] === 1)
      ) {
        const stepped = step(state, kind[op]!, a[op]!, b[op]!)
        // An indeterminate op that changes nothing is no better than leaving it out.
        const after = indeterminate && stepped === state ? ILLEGAL : stepped
        if (after !== ILLEGAL) {
          mark(op)
          // The memo tells apart configurations reached by an indeterminate op: they allow fewer next steps.
          const memoState = after * 2 + (indeterminate ? 1 : 0)
          const hash = fmix(zobrist ^ Math.imul(memoState + 1, 0x9e3779b1))
          const configuration = cache.visit(words, lo, hi, memoState, hash, counts)
          if (configuration >= 0) {
            if (cache.size > budget.maxConfigurations) {
              return {
                _tag: "BudgetExhausted",
                reason: `configuration limit of ${budget.maxConfigurations} per key`,
                configurations: cache.size
              }
            }
            if (cache.bytes > budget.maxMemoryBytes) {
              return {
                _tag: "BudgetExhausted",
                reason: `memory limit of ${Math.round(budget.maxMemoryBytes / 2 ** 20)} MiB per key`,
                configurations: cache.size
              }
            }
            stackEntry[depth] = entry
            stackState[depth] = state
            stackForced[depth] = forced ? 1 : 0
            stackConfiguration[depth] = configuration
            depth++
            state = after
            lift(entry)
            if (ret[op] !== NEVER) remaining--
            entry = next[HEAD]!
            continue
          }
          unmark(op)
          // A forced step into a configuration known to fail: this one fails too.
          if (!forced) {
            entry = next[entry]!
            continue
          }
        } else {
          entry = next[entry]!
          continue
        }
      } else {
        entry = next[entry]!
        continue
      }
    } else {
      // A return: its op was not linearized in time.
      const op = (entry - 2) >> 1
      if (op === target) {
        return { _tag: "Reached", prefix: Array.from(stackEntry.subarray(0, depth), (e) => (e - 1) >> 1) }
      }
      if (ret[op]! > bestReturn) {
        bestReturn = ret[op]!
        bestOp = op
        bestStates.clear()
      }
      if (ret[op] === bestReturn && bestStates.size < 16) bestStates.add(state)
    }
    // Backtrack: undo the last step; a forced step has no alternative to try.
    for (;;) {
      if (depth === 0) {
        return { _tag: "NotLinearizable", failedOp: bestOp, states: Array.from(bestStates), configurations: cache.size }
      }
      depth--
      const e = stackEntry[depth]!
      const op = (e - 1) >> 1
      cache.finish(stackConfiguration[depth]!)
      unmark(op)
      unlift(e)
      state = stackState[depth]!
      if (ret[op] !== NEVER) remaining++
      if (stackForced[depth] === 0) {
        entry = next[e]!
        continue outer
      }
    }
  }
}
