/**
 * The search's memo: a set of configurations (linearized ops as a bitset,
 * register state), exact (no false hits from hash collisions, which could
 * hide a linearization) and compact. Ops are numbered in invoke order, so a
 * linearized set is mostly ones below some word and zeros above another:
 * only the words in between (lo..hi) are stored, in one growing arena.
 */
export class ConfigurationCache {
  private slots: Int32Array
  private mask: number
  private hashes: Int32Array
  private states: Int32Array
  private los: Int32Array
  private offsets: Int32Array
  private lengths: Int32Array
  private arena: Uint32Array
  private arenaUsed = 0
  private count = 0

  constructor(initialEntries = 1024) {
    let capacity = 16
    while (capacity < initialEntries * 2) capacity *= 2
    this.slots = new Int32Array(capacity)
    this.mask = capacity - 1
    const entries = capacity >> 1
    this.hashes = new Int32Array(entries)
    this.states = new Int32Array(entries)
    this.los = new Int32Array(entries)
    this.offsets = new Int32Array(entries)
    this.lengths = new Int32Array(entries)
    this.arena = new Uint32Array(entries * 2)
  }

  get size(): number {
    return this.count
  }

  /** Bytes held by the typed arrays (what the memory budget counts). */
  get bytes(): number {
    return this.slots.byteLength + this.hashes.byteLength * 5 + this.arena.byteLength
  }

  /**
   * Adds the configuration (words[lo..hi], state) unless present; `hash` must
   * be a function of exactly that configuration. Returns true when it was new.
   */
  add(words: Uint32Array, lo: number, hi: number, state: number, hash: number): boolean {
    const length = hi - lo + 1
    let slot = hash & this.mask
    for (;;) {
      const entry = this.slots[slot]! - 1
      if (entry < 0) break
      if (
        this.hashes[entry] === hash && this.states[entry] === state && this.los[entry] === lo &&
        this.lengths[entry] === length && this.sameWords(entry, words, lo, length)
      ) return false
      slot = (slot + 1) & this.mask
    }
    if (this.count >= this.hashes.length) this.growEntries()
    if (this.arenaUsed + length > this.arena.length) this.growArena(length)
    const entry = this.count++
    this.hashes[entry] = hash
    this.states[entry] = state
    this.los[entry] = lo
    this.lengths[entry] = length
    this.offsets[entry] = this.arenaUsed
    this.arena.set(words.subarray(lo, lo + length), this.arenaUsed)
    this.arenaUsed += length
    this.slots[slot] = entry + 1
    // Keep the table at most half full so probes stay short.
    if (this.count * 2 > this.slots.length) this.rehash()
    return true
  }

  private sameWords(entry: number, words: Uint32Array, lo: number, length: number): boolean {
    const offset = this.offsets[entry]!
    for (let i = 0; i < length; i++) if (this.arena[offset + i] !== words[lo + i]) return false
    return true
  }

  private growEntries(): void {
    const grow = <A extends Int32Array>(old: A): Int32Array => {
      const next = new Int32Array(old.length * 2)
      next.set(old)
      return next
    }
    this.hashes = grow(this.hashes)
    this.states = grow(this.states)
    this.los = grow(this.los)
    this.offsets = grow(this.offsets)
    this.lengths = grow(this.lengths)
  }

  private growArena(atLeast: number): void {
    let size = this.arena.length * 2
    while (size < this.arenaUsed + atLeast) size *= 2
    const next = new Uint32Array(size)
    next.set(this.arena.subarray(0, this.arenaUsed))
    this.arena = next
  }

  private rehash(): void {
    const capacity = this.slots.length * 2
    this.slots = new Int32Array(capacity)
    this.mask = capacity - 1
    for (let entry = 0; entry < this.count; entry++) {
      let slot = this.hashes[entry]! & this.mask
      while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask
      this.slots[slot] = entry + 1
    }
  }
}
