import { Option } from "effect"
import type { Envelope } from "../src/protocol/envelope.js"

/** The request a client waits on, and its reply (or `None`: timed out) once decided. */
interface Waiting {
  readonly msgId: number
  readonly deadlineNanos: bigint
  outcome: Option.Option<Envelope> | undefined
  settle: ((outcome: Option.Option<Envelope>) => void) | undefined
}

/**
 * The replies of one client, which has one request out at a time: the reply
 * to it, or its timeout, whichever comes first. Replies that come while no
 * request waits are kept in order, and a request takes the first one that
 * answers it, dropping the ones before; a reply to another request (an
 * earlier one that timed out) is dropped while a request waits. Bookkeeping
 * only: the caller brings the clock and the waiting.
 */
export class ReplyMailbox {
  private readonly kept: Array<Envelope> = []
  private waiting: Waiting | undefined = undefined

  /** A request `msgId` went out: its reply counts until `deadlineNanos` (Clock time). */
  expect(msgId: number, deadlineNanos: bigint): void {
    const waiting: Waiting = { msgId, deadlineNanos, outcome: undefined, settle: undefined }
    this.waiting = waiting
    while (this.kept.length > 0) {
      const reply = this.kept.shift()!
      if (reply.body.in_reply_to === msgId) return this.decide(waiting, Option.some(reply))
    }
  }

  /** The outcome if decided already, else undefined and `settle` is called once it is. */
  onOutcome(settle: (outcome: Option.Option<Envelope>) => void): Option.Option<Envelope> | undefined {
    const waiting = this.waiting
    if (waiting === undefined) return Option.none()
    if (waiting.outcome !== undefined) {
      this.waiting = undefined
      return waiting.outcome
    }
    waiting.settle = settle
    return undefined
  }

  deliver(reply: Envelope): void {
    const waiting = this.waiting
    if (waiting === undefined || waiting.outcome !== undefined) this.kept.push(reply)
    else if (reply.body.in_reply_to === waiting.msgId) this.decide(waiting, Option.some(reply))
  }

  /** Times the request out if its deadline has passed at `nowNanos`; the deadline still to watch, if any. */
  expire(nowNanos: bigint): bigint | undefined {
    const waiting = this.waiting
    if (waiting === undefined || waiting.outcome !== undefined) return undefined
    if (waiting.deadlineNanos > nowNanos) return waiting.deadlineNanos
    this.decide(waiting, Option.none())
    return undefined
  }

  /** The waiting request was given up (its client stopped). */
  abandon(): void {
    this.waiting = undefined
  }

  private decide(waiting: Waiting, outcome: Option.Option<Envelope>): void {
    waiting.outcome = outcome
    if (waiting.settle === undefined) return
    this.waiting = undefined
    waiting.settle(outcome)
  }
}
