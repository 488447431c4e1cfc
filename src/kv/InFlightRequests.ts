import { Effect } from "effect"
import type { Body, Envelope, NetworkShape } from "../../services/Network.js"

/** The reply to one received request: whoever settles the request first sends it; later answers are dropped. */
export interface Responder {
  /** Sends `body` as the reply, unless the request was answered already. */
  readonly answer: (body: Body) => Effect.Effect<void>
  /** Whether the request has been answered. */
  readonly answered: () => boolean
}

/**
 * Requests (a client's or a forward) this node has received and not answered
 * yet. Each gets exactly one reply: its own, or, when the node stops on a
 * failure first, the stop's. No fiber waits for a request: whoever learns its
 * outcome (the applier, a timer, a forward's answer) answers through its
 * Responder. A request left unanswered when the node goes away stays so, as
 * a killed process's would.
 */
export interface InFlightRequests {
  /** Takes a request in: it waits for an answer from now on. */
  readonly accept: (request: Envelope) => Responder
  /** Answers every request still waiting with `body`. */
  readonly answerAll: (body: Body) => Effect.Effect<void>
}

export const makeInFlightRequests = (network: NetworkShape): InFlightRequests => {
  // By arrival, not by envelope: a network that duplicates a message may deliver the same envelope twice.
  const waiting = new Map<number, Envelope>()
  let arrivals = 0
  const answerOnce = (arrival: number, body: Body) =>
    Effect.suspend(() => {
      const request = waiting.get(arrival)
      if (request === undefined) return Effect.void
      waiting.delete(arrival)
      return network.reply(request, body)
    })
  return {
    accept: (request) => {
      const arrival = ++arrivals
      waiting.set(arrival, request)
      return { answer: (body) => answerOnce(arrival, body), answered: () => !waiting.has(arrival) }
    },
    answerAll: (body) => Effect.forEach([...waiting.keys()], (arrival) => answerOnce(arrival, body), { discard: true })
  }
}
