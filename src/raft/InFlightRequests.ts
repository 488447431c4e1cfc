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
  const waiting = new Set<Envelope>()
  const answerOnce = (request: Envelope, body: Body) =>
    Effect.suspend(() => (waiting.delete(request) ? network.reply(request, body) : Effect.void))
  return {
    serve: (request, answer) =>
      Effect.suspend(() => {
        waiting.add(request)
        return Effect.flatMap(answer, (body) => answerOnce(request, body))
      }),
    answerAll: (body) => Effect.forEach([...waiting], (request) => answerOnce(request, body), { discard: true })
  }
}
