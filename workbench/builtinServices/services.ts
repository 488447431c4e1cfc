import { Effect, Either, Random, Ref, Schema } from "effect"
import { emptyKvStore } from "../../src/kv/KvStore.js"
import { describeParseError } from "../../foundation/describeParseError.js"
import type { Body } from "../../src/protocol/envelope.js"
import { ErrorCode } from "../../src/protocol/errorCodes.js"
import { errorReply, type KvReply } from "../../src/protocol/kvMessages.js"
import { applyKvRequest, ServiceKvRequest } from "./kvRequests.js"
import { applyLastWriterWins, emptyLastWriterWinsKv, lwwReplicaCount } from "./lastWriterWinsKv.js"
import { applySequential, emptySequentialKv, servableStates } from "./sequentialKv.js"
import { firstTimestamp, nextTimestamp } from "./timestampOracle.js"

/** Maelstrom's built-in services: ids a node may send requests to, as to any node. */
export const serviceNames = ["lin-kv", "seq-kv", "lww-kv", "lin-tso"] as const
export type ServiceName = (typeof serviceNames)[number]

export const isServiceName = (id: string): id is ServiceName => (serviceNames as ReadonlyArray<string>).includes(id)

export interface Services {
  /**
   * The reply body (without `in_reply_to`) `service` gives a request from
   * `client`. A request the service cannot handle gets error 10 (an unknown
   * type) or 12 (a known type missing a field), where Maelstrom logs a
   * warning and does not answer.
   */
  readonly answer: (service: ServiceName, client: string, body: Body) => Effect.Effect<Body>
}

const decodeKvRequest = Schema.decodeUnknownEither(ServiceKvRequest)
const kvTypes: ReadonlyArray<string> = ["read", "write", "cas"]

const notSupported = (service: ServiceName, type: string, supported: string) =>
  errorReply(ErrorCode.notSupported, `${service} does not support ${JSON.stringify(type)} requests; it answers ${supported}`)

/**
 * A fresh set of services for one test: lin-kv (linearizable), seq-kv
 * (sequentially consistent), lww-kv (last writer wins) and lin-tso
 * (timestamps), each with the semantics of Maelstrom's. Their random choices
 * come from Effect's Random, the test's seeded one.
 */
export const makeServices: Effect.Effect<Services> = Effect.gen(function*() {
  const linKv = yield* Ref.make(emptyKvStore)
  const seqKv = yield* Ref.make(emptySequentialKv)
  const lwwKv = yield* Ref.make(emptyLastWriterWinsKv)
  const linTso = yield* Ref.make(firstTimestamp)
  const replica = Random.nextIntBetween(0, lwwReplicaCount)

  const kvAnswer = (service: Exclude<ServiceName, "lin-tso">, client: string, body: Body): Effect.Effect<KvReply> =>
    Effect.gen(function*() {
      if (!kvTypes.includes(body.type)) return notSupported(service, body.type, "read, write and cas")
      const decoded = decodeKvRequest(body)
      if (Either.isLeft(decoded)) {
        return errorReply(ErrorCode.malformedRequest, `${service} cannot read this ${body.type}: ${describeParseError(decoded.left)}`)
      }
      const request = decoded.right
      switch (service) {
        case "lin-kv":
          return yield* Ref.modify(linKv, (store) => applyKvRequest(store, request, true))
        case "seq-kv": {
          const fraction = yield* Random.next
          return yield* Ref.modify(seqKv, (kv) => {
            const { from, to } = servableStates(kv, client)
            return applySequential(kv, client, request, from + Math.floor(fraction * (to - from + 1)))
          })
        }
        case "lww-kv": {
          const choices = { gossipFrom: yield* replica, gossipInto: yield* replica, replica: yield* replica }
          return yield* Ref.modify(lwwKv, (kv) => applyLastWriterWins(kv, request, choices))
        }
      }
    })

  return {
    answer: (service, client, body) =>
      service === "lin-tso"
        ? body.type === "ts" ? Ref.modify(linTso, nextTimestamp) : Effect.succeed(notSupported(service, body.type, "ts"))
        : kvAnswer(service, client, body)
  }
})
