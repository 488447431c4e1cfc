import { Effect } from "effect"
import type { NetworkShape } from "../../services/Network.js"
import type { Body, Envelope } from "../protocol/envelope.js"

/**
 * Requests (a client's or a forward) this node has received and not answered
 * yet. Each gets exactly one reply: its own, or, when the node stops on a
 * failure first, the stop's. A request whose fiber is merely interrupted (the
 * process or a simulated node going away) stays unanswered, as a killed
 * process's would.
 */
export interface InFlightRequests {
  /** Runs `answer` and sends its result, unless the request was answered already. */
  readonly serve: <E>(request: Envelope, answer: Effect.Effect<Body, E>) => Effect.Effect<void, E>
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
    serve: (request, answer) =>
      Effect.suspend(() => {
        const arrival = ++arrivals
        waiting.set(arrival, request)
        return Effect.flatMap(answer, (body) => answerOnce(arrival, body))
      }),
    answerAll: (body) => Effect.forEach([...waiting.keys()], (arrival) => answerOnce(arrival, body), { discard: true })
  }
}
