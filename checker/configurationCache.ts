/**
 * The search's memo of configurations: (ops with a return linearized, as a
 * bitset; register state; how many of each class of identical indeterminate
 * ops are linearized, as a vector of counts).
 *
 * Exact: no false hits from hash collisions, which could hide a
 * linearization. Compact: ops with a return are numbered in invoke order,
 * so their linearized set is all ones below some word and zeros above
 * another; only the words in between (lo..hi) are stored, in one arena.
 *
 * Configurations with the same bitset and state form a group. A
 * configuration is skipped when its group holds the same counts, or smaller
 * counts of a configuration already explored to failure: having used fewer
 * indeterminate ops leaves strictly more choices, so if that failed, this
 * fails too.
 */
export class ConfigurationCache {
  private slots: Int32Array
  private mask: number
  // Groups: hash, state, stored bitset (lo, offset, length), first configuration.
  private hashes: Int32Array
  private states: Int32Array
  private los: Int32Array
  private offsets: Int32Array
  private lengths: Int32Array
  private firstConfiguration: Int32Array
  private groupCount = 0
  private words: Uint32Array
  private wordsUsed = 0
  // Configurations: next in group, finished flag, counts at countOffset.
  private nextInGroup: Int32Array
  private finished: Uint8Array
  private counts: Int32Array
  private configurationCount = 0

  constructor(private readonly classes: number, initialGroups = 1024) {
    let capacity = 16
    while (capacity < initialGroups * 2) capacity *= 2
    this.slots = new Int32Array(capacity)
    this.mask = capacity - 1
    const groups = capacity >> 1
    this.hashes = new Int32Array(groups)
    this.states = new Int32Array(groups)
    this.los = new Int32Array(groups)
    this.offsets = new Int32Array(groups)
    this.lengths = new Int32Array(groups)
    this.firstConfiguration = new Int32Array(groups)
    this.words = new Uint32Array(groups * 2)
    this.nextInGroup = new Int32Array(groups)
    this.finished = new Uint8Array(groups)
    this.counts = new Int32Array(Math.max(groups * classes, 1))
  }

  /** Configurations remembered. */
  get size(): number {
    return this.configurationCount
  }

  /** Bytes held by the typed arrays (what the memory budget counts). */
  get bytes(): number {
    return this.slots.byteLength + this.hashes.byteLength * 6 + this.words.byteLength +
      this.nextInGroup.byteLength + this.finished.byteLength + this.counts.byteLength
  }

  /**
   * Remembers the configuration unless it is to be skipped (see above):
   * returns its id, or -1 to skip. `hash` must be a function of exactly
   * (bits[lo..hi], state).
   */
  visit(bits: Uint32Array, lo: number, hi: number, state: number, hash: number, counts: Int32Array): number {
    const length = hi - lo + 1
    let slot = hash & this.mask
    let group = -1
    for (;;) {
      const g = this.slots[slot]! - 1
      if (g < 0) break
      if (
        this.hashes[g] === hash && this.states[g] === state && this.los[g] === lo &&
        this.lengths[g] === length && this.sameWords(g, bits, lo, length)
      ) {
        group = g
        break
      }
      slot = (slot + 1) & this.mask
    }
    if (group < 0) {
      group = this.addGroup(slot, bits, lo, length, state, hash)
    } else {
      for (let c = this.firstConfiguration[group]!; c >= 0; c = this.nextInGroup[c]!) {
        const relation = this.compare(c, counts)
        if (relation === EQUAL || (relation === SMALLER && this.finished[c] === 1)) return -1
      }
    }
    return this.addConfiguration(group, counts)
  }

  /** Marks a configuration as explored without finding a linearization. */
  finish(configuration: number): void {
    this.finished[configuration] = 1
  }

  private compare(configuration: number, counts: Int32Array): number {
    const offset = configuration * this.classes
    let relation = EQUAL
    for (let k = 0; k < this.classes; k++) {
      const stored = this.counts[offset + k]!
      const current = counts[k]!
      if (stored > current) return OTHER
      if (stored < current) relation = SMALLER
    }
    return relation
  }

  private sameWords(group: number, bits: Uint32Array, lo: number, length: number): boolean {
    const offset = this.offsets[group]!
    for (let i = 0; i < length; i++) if (this.words[offset + i] !== bits[lo + i]) return false
    return true
  }

  private addGroup(slot: number, bits: Uint32Array, lo: number, length: number, state: number, hash: number): number {
    if (this.groupCount >= this.hashes.length) {
      this.hashes = grow(this.hashes)
      this.states = grow(this.states)
      this.los = grow(this.los)
      this.offsets = grow(this.offsets)
      this.lengths = grow(this.lengths)
      this.firstConfiguration = grow(this.firstConfiguration)
    }
    if (this.wordsUsed + length > this.words.length) {
      let size = this.words.length * 2
      while (size < this.wordsUsed + length) size *= 2
      const next = new Uint32Array(size)
      next.set(this.words.subarray(0, this.wordsUsed))
      this.words = next
    }
    const group = this.groupCount++
    this.hashes[group] = hash
    this.states[group] = state
    this.los[group] = lo
    this.lengths[group] = length
    this.offsets[group] = this.wordsUsed
    this.firstConfiguration[group] = -1
    this.words.set(bits.subarray(lo, lo + length), this.wordsUsed)
    this.wordsUsed += length
    this.slots[slot] = group + 1
    // Keep the table at most half full so probes stay short.
    if (this.groupCount * 2 > this.slots.length) this.rehash()
    return group
  }

  private addConfiguration(group: number, counts: Int32Array): number {
    if (this.configurationCount >= this.nextInGroup.length) {
      this.nextInGroup = grow(this.nextInGroup)
      const finished = new Uint8Array(this.finished.length * 2)
      finished.set(this.finished)
      this.finished = finished
    }
    if ((this.configurationCount + 1) * this.classes > this.counts.length) this.counts = grow(this.counts)
    const c = this.configurationCount++
    this.counts.set(counts.subarray(0, this.classes), c * this.classes)
    this.finished[c] = 0
    this.nextInGroup[c] = this.firstConfiguration[group]!
    this.firstConfiguration[group] = c
    return c
  }

  private rehash(): void {
    const capacity = this.slots.length * 2
    this.slots = new Int32Array(capacity)
    this.mask = capacity - 1
    for (let group = 0; group < this.groupCount; group++) {
      let slot = this.hashes[group]! & this.mask
      while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask
      this.slots[slot] = group + 1
    }
  }
}

const EQUAL = 0
const SMALLER = 1
const OTHER = 2

const grow = (old: Int32Array): Int32Array => {
  const next = new Int32Array(Math.max(old.length * 2, 16))
  next.set(old)
  return next
}
