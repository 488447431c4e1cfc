import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Data, Duration, Effect, Either } from "effect"

/** What an endpoint answered: its HTTP status and JSON body. */
export interface StoreAnswer {
  readonly endpoint: string
  readonly status: number
  readonly body: Record<string, unknown>
}

/** No endpoint gave an answer to keep: each is named with why it was passed over. */
export class NoEndpointAnswered extends Data.TaggedError("NoEndpointAnswered")<{
  readonly attempts: ReadonlyArray<string>
}> {
  override get message(): string {
    return `no endpoint answered: ${this.attempts.join("; ")}`
  }
}

export interface StoreCall {
  readonly method: "GET" | "PUT" | "POST"
  readonly path: string
  readonly body?: unknown
  /**
   * Whether asking again elsewhere after an indefinite answer (a 504 or a
   * 500: it may or may not have happened) is harmless: true for reads only.
   * A 503 (definite: nothing happened) or an endpoint that cannot be reached
   * is always tried elsewhere.
   */
  readonly idempotent: boolean
}

/** Errors of a connection that was never made: the request cannot have arrived. */
const notConnectedCodes: ReadonlySet<string> = new Set(["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"])

/** The system's error code somewhere in a chain of causes (fetch wraps it twice), if any. */
export const systemCode = (error: unknown): string | undefined => {
  for (let cause = error, depth = 0; cause !== undefined && cause !== null && depth < 5; depth++) {
    const code = (cause as { code?: unknown }).code
    if (typeof code === "string") return code
    cause = (cause as { cause?: unknown }).cause
  }
  return undefined
}

/** The message of the innermost cause of an error (fetch's own says only "fetch failed"). */
const innermostMessage = (error: unknown): string => {
  let message = error instanceof Error ? error.message : String(error)
  for (let cause = (error as { cause?: unknown }).cause, depth = 0; cause instanceof Error && depth < 5; depth++) {
    message = cause.message
    cause = (cause as { cause?: unknown }).cause
  }
  return message
}

/**
 * Sends one call to the endpoints in turn until one gives an answer to keep:
 * the first that is reachable and does not answer 503 (or, for a call that
 * may be repeated, 5xx). When every endpoint was passed over, the last
 * answer any of them gave is the result: the store did answer, with an
 * error. Each attempt waits up to `timeoutMs`.
 */
export const callStore = (endpoints: ReadonlyArray<string>, call: StoreCall, timeoutMs: number) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const attempts: Array<string> = []
    let lastPassedOver: StoreAnswer | undefined
    for (const endpoint of endpoints) {
      let request = HttpClientRequest.make(call.method)(`http://${endpoint}${call.path}`)
      if (call.body !== undefined) request = HttpClientRequest.bodyText(request, JSON.stringify(call.body), "application/json")
      const answer = yield* client.execute(request).pipe(
        Effect.flatMap((response) =>
          Effect.map(response.json, (body) => ({ endpoint, status: response.status, body: body as Record<string, unknown> }))
        ),
        Effect.scoped,
        Effect.mapError((error) => ({ reason: systemCode(error) ?? innermostMessage(error),
          sent: !notConnectedCodes.has(systemCode(error) ?? "") })
        ),
        Effect.timeoutFail({
          duration: Duration.millis(timeoutMs),
          onTimeout: () => ({ reason: `no answer within ${timeoutMs} ms`, sent: true })
        }),
        Effect.either
      )
      if (Either.isLeft(answer)) {
        attempts.push(`${endpoint}: ${answer.left.reason}`)
        if (!call.idempotent && answer.left.sent) {
          // The request may have arrived and be applied: a copy sent elsewhere could apply it twice.
          return yield* new NoEndpointAnswered({ attempts: [...attempts, "not tried elsewhere: it may or may not have happened"] })
        }
        continue
      }
      const { status } = answer.right
      const passOver = status === 503 || (call.idempotent && status >= 500)
      if (!passOver) return answer.right
      attempts.push(`${endpoint}: ${status} ${String(answer.right.body["text"] ?? "")}`)
      lastPassedOver = answer.right
    }
    return lastPassedOver ?? (yield* new NoEndpointAnswered({ attempts }))
  })
