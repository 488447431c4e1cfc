import type { SnapshotPlace } from "../services/Log.js"
import type { Role } from "../services/RaftObserver.js"
import type { Configuration, Entry } from "../services/Log.js"
import { describeConfiguration, initialConfiguration } from "../src/raft/configurations.js"
import type { NodeId } from "../services/Network.js"
import { describeEntry } from "./describeMessage.js"
import { chainHash, entryKey } from "./entryHash.js"
import type { ReplicaState } from "./SimApplication.js"
import type { Violation } from "./Violation.js"

/** What the monitor reads of a node's durable log. */
export interface LogReader {
  readonly firstIndex: () => number
  readonly lastIndex: () => number
  readonly entryAt: (index: number) => Entry | undefined
}

/** What the monitor reads of an AppendEntries a leader sent. */
export interface AppendEntriesSeen {
  readonly term: number
  readonly prev_log_index: number
  readonly entries: ReadonlyArray<Entry>
  readonly leader_commit: number
}

const describeLogEntry = (entry: Entry | undefined) => entry === undefined ? "nothing" : describeEntry(entry)

/**
 * Raft's safety properties, checked on every event as it happens rather than
 * at the end of a run: every log change, role change, commit and apply of
 * every node is reported here, and the first broken property is a violation.
 * Committed commands are folded into the application's state with its own
 * pure semantics (`initialState`), to check the snapshots nodes save.
 */
export class InvariantMonitor {
  readonly violations: Array<Violation> = []
  private readonly leaderOfTerm = new Map<number, NodeId>()
  /** Per (index, term): the hash of the log prefix ending there, as first seen on any node. */
  private readonly prefixByIndexTerm = new Map<string, number>()
  /** Per node: the prefix hash at each index of its log (index 0 is the empty prefix). */
  private readonly chains = new Map<NodeId, Array<number>>()
  private readonly logs = new Map<NodeId, LogReader>()
  /** The one sequence every commit and apply must agree with (index 1 at position 0). */
  private readonly decided: Array<string> = []
  private readonly decidedEntries: Array<Entry> = []
  /** The prefix hash of the decided sequence at each index (index 0 is the empty prefix): what a snapshot's prefix is. */
  private readonly decidedChain: Array<number> = [0]
  /** The application's state after each decided prefix (index 0 is the initial state): what a snapshot must hold. */
  private readonly decidedStates: Array<ReplicaState>
  /** Per node, the highest commit index it ever reported, in any incarnation: those entries must stay. */
  private readonly knownCommitted = new Map<NodeId, number>()
  /** Per node, this incarnation's last reported commit index and last applied index. */
  private readonly incarnation = new Map<NodeId, { commitIndex: number; lastApplied: number }>()
  /**
   * Nodes whose machine crashed and which have not started again. The dead
   * process's fibers may still run until they are interrupted, but nothing
   * they do after the crash is seen by anyone (the network and disk are gone),
   * so none of it is a fact about the cluster.
   */
  private readonly down = new Set<NodeId>()

  /** The configuration the decided entries have reached: the cluster's first until one of them holds another. */
  private decidedConfiguration: Configuration

  constructor(
    initialState: ReplicaState,
    private readonly now: () => number,
    private readonly onViolation: (violation: Violation) => void,
    nodeIds: ReadonlyArray<NodeId> = []
  ) {
    this.decidedStates = [initialState]
    this.decidedConfiguration = initialConfiguration(nodeIds)
  }

  private violate(violation: Omit<Violation, "atMs">): void {
    const found = { atMs: this.now(), ...violation }
    this.violations.push(found)
    this.onViolation(found)
  }

  /**
   * A node's log as it opened at a (re)start, recovered from what its disk
   * kept: its entries are checked as if just appended, and it must still hold
   * every entry the node ever knew committed (a crash must not lose them).
   */
  registerLog(node: NodeId, log: LogReader): void {
    this.logs.set(node, log)
    const snapshotIndex = log.firstIndex() - 1
    if (snapshotIndex > this.decided.length) {
      this.violate({
        invariant: "snapshots hold committed state",
        node,
        detail:
          `${node} restarted with a snapshot of entries up to ${snapshotIndex}, but only ${this.decided.length} entries are known committed`
      })
    }
    // The snapshot's prefix is the decided one (checked when it was saved); the entries after it are checked now.
    this.chains.set(node, Array.from({ length: snapshotIndex + 1 }, (_, index) => this.decidedChain[index] ?? 0))
    this.logAppended(node)
    const committed = this.knownCommitted.get(node) ?? 0
    if (log.lastIndex() < committed) {
      this.violate({
        invariant: "committed entries stay",
        node,
        detail: `${node} restarted with ${log.lastIndex()} entries in its log, but it knew entries up to ${committed} committed`
      })
    }
  }

  /** A node (re)starts: commit and apply counting starts again; the log is what it kept. */
  started(node: NodeId): void {
    this.down.delete(node)
    this.incarnation.set(node, { commitIndex: 0, lastApplied: 0 })
  }

  /**
   * A fault damaged a node's storage while it was down: it may come back
   * without entries it knew committed, and say so (not caught up) or not.
   * Those entries must survive on the rest of the cluster instead: a leader
   * without them, or a different entry committed at their index, is still
   * a violation (leader completeness, committed entries stay).
   */
  storageLost(node: NodeId): void {
    this.knownCommitted.delete(node)
  }

  /** The highest index any node's log holds (or held when its node went down). */
  highestLogIndex(): number {
    let highest = 0
    for (const log of this.logs.values()) highest = Math.max(highest, log.lastIndex())
    return highest
  }

  /** A node's machine crashed: what its process still reports until it is gone is ignored. */
  crashed(node: NodeId): void {
    this.down.add(node)
  }

  /** Log matching: every entry appended since the last call, checked against every log that ever had its (index, term). */
  logAppended(node: NodeId): void {
    if (this.down.has(node)) return
    const log = this.logs.get(node)!
    const chain = this.chains.get(node)!
    for (let index = chain.length; index <= log.lastIndex(); index++) {
      const entry = log.entryAt(index)!
      const hash = chainHash(chain[index - 1]!, entry)
      chain.push(hash)
      const key = `${index}:${entry.term}`
      const seen = this.prefixByIndexTerm.get(key)
      if (seen === undefined) this.prefixByIndexTerm.set(key, hash)
      else if (seen !== hash) {
        this.violate({
          invariant: "log matching",
          node,
          detail: `${node}'s entry ${index} has term ${entry.term} (${
            describeLogEntry(entry)
          }), as another log's entry ${index} had, yet the logs differ at or before it`
        })
      }
    }
  }

  /**
   * A node kept a snapshot in place of the entries up to its last index: they
   * must be decided entries, and its data the state after them. The node's
   * log is checked from the snapshot on as if just appended.
   */
  snapshotSaved(node: NodeId, snapshot: SnapshotPlace & { readonly data: string }): void {
    if (this.down.has(node)) return
    const { lastIndex, lastTerm } = snapshot
    const decided = this.decidedEntries[lastIndex - 1]
    if (lastIndex > this.decided.length || (lastIndex > 0 && decided!.term !== lastTerm)) {
      this.violate({
        invariant: "snapshots hold committed state",
        node,
        detail: `${node} saved a snapshot of entries up to ${lastIndex} (last term ${lastTerm}), but ${
          lastIndex > this.decided.length ? `only ${this.decided.length} entries are known committed`
            : `entry ${lastIndex} committed in term ${decided!.term}`
        }`
      })
      return
    }
    const expected = JSON.stringify(this.decidedStates[lastIndex]!.snapshot())
    if (snapshot.data !== expected) {
      this.violate({
        invariant: "snapshots hold committed state",
        node,
        detail: `${node}'s snapshot of entries up to ${lastIndex} holds ${snapshot.data.slice(0, 200)}, not the state after them: ${
          expected.slice(0, 200)
        }`
      })
      return
    }
    this.chains.set(node, this.decidedChain.slice(0, lastIndex + 1))
    this.logAppended(node)
  }

  /** A node's state machine took its snapshot's state: it has applied every entry up to `lastIndex`. */
  restored(node: NodeId, lastIndex: number): void {
    if (this.down.has(node)) return
    const current = this.incarnation.get(node)!
    if (lastIndex < current.lastApplied) {
      this.violate({
        invariant: "applied in order",
        node,
        detail: `${node} restored a snapshot of entries up to ${lastIndex} after applying entries up to ${current.lastApplied}`
      })
      return
    }
    current.lastApplied = lastIndex
  }

  /**
   * A node deleted the end of its log, keeping the entries up to `lastIndex`:
   * none of what it deleted may be an entry it knew committed.
   */
  logTruncated(node: NodeId, lastIndex: number): void {
    if (this.down.has(node)) return
    const committed = this.knownCommitted.get(node) ?? 0
    const chain = this.chains.get(node)!
    chain.length = Math.min(chain.length, lastIndex + 1)
    if (lastIndex < committed) {
      this.violate({
        invariant: "committed entries stay",
        node,
        detail: `${node} deleted its log down to ${lastIndex} entries, but it knew entries up to ${committed} committed`
      })
    }
  }

  roleChanged(node: NodeId, term: number, role: Role): void {
    if (this.down.has(node)) return
    if (role !== "leader") return
    const other = this.leaderOfTerm.get(term)
    if (other !== undefined && other !== node) {
      this.violate({ invariant: "one leader per term", node, detail: `${node} and ${other} both became leader of term ${term}` })
      return
    }
    this.leaderOfTerm.set(term, node)
    const log = this.logs.get(node)!
    // Entries up to the log's snapshot were checked when it was saved.
    for (let index = log.firstIndex(); index <= this.decided.length; index++) {
      const entry = log.entryAt(index)
      if (entry === undefined || entryKey(entry) !== this.decided[index - 1]) {
        this.violate({
          invariant: "leader completeness",
          node,
          detail: `${node} became leader of term ${term} without committed entry ${index} (${
            describeLogEntry(this.decidedEntries[index - 1])
          }); its log has ${describeLogEntry(entry)} there`
        })
        return
      }
    }
  }

  committed(node: NodeId, commitIndex: number): void {
    if (this.down.has(node)) return
    const current = this.incarnation.get(node)!
    if (commitIndex < current.commitIndex) {
      this.violate({
        invariant: "commit index never goes back",
        node,
        detail: `${node}'s commit index went from ${current.commitIndex} to ${commitIndex}`
      })
      return
    }
    const log = this.logs.get(node)!
    // Entries up to the log's snapshot were checked when it was saved.
    for (let index = Math.max(current.commitIndex + 1, log.firstIndex()); index <= commitIndex; index++) {
      const entry = log.entryAt(index)
      if (entry === undefined) {
        this.violate({ invariant: "committed entries stay", node, detail: `${node} commits entry ${index} it does not have` })
        return
      }
      if (!this.decide(node, index, entry, "commits")) return
    }
    current.commitIndex = commitIndex
    this.knownCommitted.set(node, Math.max(this.knownCommitted.get(node) ?? 0, commitIndex))
  }

  applied(node: NodeId, index: number, entry: Entry): void {
    if (this.down.has(node)) return
    const current = this.incarnation.get(node)!
    if (index !== current.lastApplied + 1) {
      this.violate({
        invariant: "applied in order",
        node,
        detail: `${node} applied entry ${index} right after entry ${current.lastApplied}`
      })
      return
    }
    current.lastApplied = index
    this.decide(node, index, entry, "applies")
  }

  /** A node stopped with a failure: Raft's own assertions (two leaders, a committed conflict) end up here. */
  nodeFailed(node: NodeId, reason: string): void {
    this.violate({ invariant: "node failure", node, detail: `${node} stopped: ${reason}` })
  }

  /**
   * Every change of the voters passes through a joint configuration: a joint
   * one leaves the voters decided before it, a final one after a joint one
   * keeps that one's voters, and one after a final one changes learners only.
   */
  private configurationDecided(node: NodeId, index: number, config: Configuration): void {
    const before = this.decidedConfiguration
    this.decidedConfiguration = config
    const same = (a: ReadonlyArray<NodeId>, b: ReadonlyArray<NodeId>) => a.length === b.length && a.every((id) => b.includes(id))
    const joint = config.outgoing !== undefined
    const follows = joint
      ? before.outgoing === undefined && same(config.outgoing!, before.voters)
      : same(config.voters, before.voters)
    if (follows) return
    this.violate({
      invariant: "changes pass through a joint configuration",
      node,
      detail: `entry ${index} changes the configuration from ${describeConfiguration(before)} to ${describeConfiguration(config)}`
    })
  }

  /**
   * One configuration change at a time, each by a leader settled in its
   * term: a leader's AppendEntries that carries a configuration entry of its
   * own term must carry a commit index that covers the configuration before
   * it (the leader may append one only once the previous one committed), and,
   * when that entry starts a change rather than leaving a joint
   * configuration, an entry of the leader's term (a change an earlier leader
   * left in flight is then committed or gone). The commit index on the wire
   * is the leader's when it sent the message, never less than when it
   * appended the entry, so a correct leader always passes.
   */
  appendEntriesSent(leader: NodeId, request: AppendEntriesSeen): void {
    if (this.down.has(leader)) return
    const log = this.logs.get(leader)
    if (log === undefined) return
    request.entries.forEach((entry, offset) => {
      if (entry.config === undefined || entry.term !== request.term) return
      const index = request.prev_log_index + 1 + offset
      // A leader deposed after it made the message may have lost the entry since: its log no longer tells what it knew.
      if (log.entryAt(index)?.term !== entry.term) return
      const previous = this.configurationBefore(log, index)
      // None in the log: the one before is in its snapshot (committed), or the cluster's first.
      const problem = previous !== undefined && previous.index > request.leader_commit
        ? `the configuration before it (${describeConfiguration(previous.config)}, entry ${previous.index}) is not committed`
        : (previous === undefined || previous.config.outgoing === undefined) && !this.ownTermCommitted(log, request)
        ? `no entry of term ${request.term} is committed`
        : undefined
      if (problem === undefined) return
      this.violate({
        invariant: "one configuration change at a time",
        node: leader,
        detail: `${leader}, leader of term ${request.term}, sends configuration entry ${index} (${
          describeConfiguration(entry.config)
        }) with commit index ${request.leader_commit}: ${problem}`
      })
    })
  }

  private configurationBefore(log: LogReader, index: number): { index: number; config: Configuration } | undefined {
    for (let before = Math.min(index, log.lastIndex() + 1) - 1; before >= log.firstIndex(); before--) {
      const config = log.entryAt(before)?.config
      if (config !== undefined) return { index: before, config }
    }
    return undefined
  }

  /** Whether the entry at the message's commit index is of the leader's term; true when a snapshot holds it now (it cannot tell). */
  private ownTermCommitted(log: LogReader, request: AppendEntriesSeen): boolean {
    if (request.leader_commit === 0) return false
    const committed = log.entryAt(request.leader_commit)
    return committed === undefined || committed.term === request.term
  }

  private decide(node: NodeId, index: number, entry: Entry, verb: string): boolean {
    const key = entryKey(entry)
    const known = this.decided[index - 1]
    if (known === undefined) {
      if (index !== this.decided.length + 1) {
        this.violate({
          invariant: "applied sequences agree",
          node,
          detail: `${node} ${verb} entry ${index} while only ${this.decided.length} entries are known committed`
        })
        return false
      }
      this.decided.push(key)
      this.decidedEntries.push(entry)
      this.decidedChain.push(chainHash(this.decidedChain[index - 1]!, entry))
      const before = this.decidedStates[index - 1]!
      this.decidedStates.push(entry.command === undefined ? before : before.apply(entry.command))
      if (entry.config !== undefined) this.configurationDecided(node, index, entry.config)
      return true
    }
    if (known === key) return true
    this.violate({
      invariant: verb === "applies" ? "applied sequences agree" : "committed entries stay",
      node,
      detail: `${node} ${verb} ${describeLogEntry(entry)} at index ${index}, where ${
        describeLogEntry(this.decidedEntries[index - 1])
      } was committed`
    })
    return false
  }
}
