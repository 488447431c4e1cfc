/**
 * Forwarded requests, run at most once. A follower passes a client's write to
 * the leader it knows, naming that leader's term; only the leader of that
 * very term runs it (Raft.ProposeOptions.term). A term has one leader, and a node never leads a term
 * again once it has left it (a new election means a new term), so the leader
 * of the named term, remembering the forwards it took in it, runs each at most
 * once however often the network repeats it: no log scan, nothing to keep
 * across restarts or compaction.
 */

/** Where a forward comes from: one incarnation of a node, and its number there. */
export interface ForwardId {
  readonly session: string
  readonly serial: number
}

/** Numbers this node's forwards: a random incarnation per start, so a restart never reuses a (session, serial). */
export const makeForwardIds = (self: string, incarnation: number): () => ForwardId => {
  const session = `${self}:${incarnation}`
  let serial = 0
  return () => ({ session, serial: ++serial })
}

/** The forwards a leader has taken in its current term. */
export interface ForwardedRequests {
  /**
   * True the first time a forward is offered in `term`, which must be the term
   * this node leads; false for a copy, one too old to tell, or one of an
   * earlier term than the last one offered (a node leads a term once).
   */
  readonly admit: (term: number, id: ForwardId) => boolean
}

interface SessionRecord {
  /** Every serial at or below it counts as taken: it is too old to tell apart from a copy. */
  floor: number
  readonly taken: Set<number>
}

/**
 * Per session, the serials taken above a floor; once more than `window` are
 * kept, the floor rises past the oldest half of them. A forward that late is
 * refused (its sender already answered its client with a timeout), never run
 * twice. Everything is forgotten when a later term begins.
 */
export const makeForwardedRequests = (window = 1024): ForwardedRequests => {
  let term = -1
  let sessions = new Map<string, SessionRecord>()
  return {
    admit: (forwardTerm, { serial, session }) => {
      if (forwardTerm < term) return false
      if (forwardTerm > term) {
        term = forwardTerm
        sessions = new Map()
      }
      let record = sessions.get(session)
      if (record === undefined) {
        record = { floor: 0, taken: new Set() }
        sessions.set(session, record)
      }
      if (serial <= record.floor || record.taken.has(serial)) return false
      record.taken.add(serial)
      if (record.taken.size > window) {
        const oldest = [...record.taken].sort((a, b) => a - b).slice(0, record.taken.size - window / 2)
        record.floor = oldest.at(-1)!
        for (const old of oldest) record.taken.delete(old)
      }
      return true
    }
  }
}
