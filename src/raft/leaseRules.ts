import type { RaftConfigShape, ReadMode } from "../../services/RaftConfig.js"

/**
 * Lease reads (`--read-mode lease`), as etcd's ReadOnlyLeaseBased with
 * CheckQuorum: a leader answers a read from its state, without a heartbeat
 * round, while the vote lease of a majority is sure to hold.
 *
 * Why it is safe: a follower that takes in an AppendEntries (or a snapshot
 * chunk) of its leader grants no vote in a later term for the shortest
 * election timeout after it (the vote lease, voteRules.decideVote), except to
 * a candidate the leader itself handed over to. Any later leader needs the
 * vote of one of the majority that answered, so none can be elected while
 * the leases of that majority hold, and every write acknowledged before a
 * read arrived is in this leader's log. The lease is counted from when the
 * leader SENT the request the majority answered (the follower took it in
 * later), on the leader's own clock.
 *
 * What it assumes: the clocks of any two nodes run at rates within
 * `clockDriftBound` of real time (NTP slews a monotonic clock by at most
 * 0.05%; a virtual machine's clock may do worse), every node has the same
 * `--election-timeout-min-ms`, and the clocks are monotonic (no steps: the
 * node measures time with a monotonic clock). It does not assume anything of
 * pauses: a leader checks its lease with its clock when it answers, so a
 * leader paused past its lease (SIGSTOP, a long garbage collection) finds it
 * ran out and confirms with a round instead. A clock that runs faster than
 * the bound on a follower, or slower on the leader, lets a new leader be
 * elected, and commit writes, while the old one still answers reads from
 * its state: stale reads.
 */

/** How far from real time any node's clock rate may be, as a fraction: 0.1, at most 10% fast or slow. */
export const clockDriftBound = 0.1

/**
 * A node reads its clock in whole milliseconds: each of the two readings a
 * span is measured between may be off by up to one, on the leader and on
 * the follower alike.
 */
const clockReadingsMs = 2

/**
 * How long after sending a request that a majority then answered the leader
 * may answer reads from its state, by its own clock. A follower's vote lease
 * lasts `electionTimeoutMinMs` of its clock after it took the request in, at
 * least `electionTimeoutMinMs / (1 + bound)` of real time; the leader's clock
 * counts at most `(1 - bound)` of a real millisecond per millisecond, so
 * `electionTimeoutMinMs * (1 - bound) / (1 + bound)` of its own is within
 * that (less the readings' rounding). 327 ms of the default 400.
 */
export const leaseDurationMs = (electionTimeoutMinMs: number): number =>
  electionTimeoutMinMs * (1 - clockDriftBound) / (1 + clockDriftBound) - clockReadingsMs

/**
 * When the lease that a follower's answer grants runs out, on the leader's
 * clock: the answer came at `answeredMs` to a request sent at `sentMs`.
 * Counted from the sending, not the answer: the follower's vote lease began
 * somewhere between the two.
 */
export const leaseExpiresAtMs = (
  sentMs: number,
  _answeredMs: number,
  config: Pick<RaftConfigShape, "electionTimeoutMinMs" | "electionTimeoutMaxMs">
): number => sentMs + leaseDurationMs(config.electionTimeoutMinMs)

/** Whether a lease running out at `expiresAtMs` still holds at `nowMs`. */
export const leaseValid = (nowMs: number, expiresAtMs: number): boolean => nowMs < expiresAtMs

/**
 * Whether a node that started at `startedAtMs` still holds back its vote,
 * in lease mode: before a restart it may have taken in a request of a leader
 * whose lease counts on its vote lease, which it no longer remembers. So
 * for the shortest election timeout after it starts, it grants no vote
 * (other than to a candidate a leader handed over to), as if it had just
 * heard from a leader.
 */
export const voteHeldAfterStart = (
  readMode: ReadMode,
  nowMs: number,
  startedAtMs: number,
  electionTimeoutMinMs: number
): boolean => readMode === "lease" && nowMs - startedAtMs < electionTimeoutMinMs
