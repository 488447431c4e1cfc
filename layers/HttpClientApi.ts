import { createServer } from "node:http"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { HttpRouter, HttpServer, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import { Data, Effect, Either, Layer, Option, Schema } from "effect"
import { ClientGateway } from "../services/ClientGateway.js"
import type { Body } from "../services/Network.js"
import { describeParseError } from "../foundation/describeParseError.js"
import { CasBody, MemberBody, PutBody, ReconfigureBody, TransferBody } from "../src/protocol/httpBodies.js"
import { httpStatusOfError } from "../src/protocol/httpStatus.js"
import { ErrorCode, isDefinite } from "../src/protocol/errorCodes.js"
import { maxLineDepth, nestsDeeperThan } from "../src/protocol/wireLimits.js"
import { maxRequestBytes } from "../src/kv/requestLimits.js"

/** The node cannot take clients' connections: the port is in use, or the host is not this machine's. */
export class ClientPortUnavailable extends Data.TaggedError("ClientPortUnavailable")<{
  readonly host: string
  readonly port: number
  readonly reason: string
}> {
  override get message(): string {
    return `cannot listen for clients on ${this.host}:${this.port}: ${this.reason}`
  }
}

export interface HttpClientApiOptions {
  readonly host: string
  readonly port: number
  /** How long a request waits for the node's answer before it gets a 504 (the node answers a timeout itself sooner). */
  readonly answerTimeoutMs: number
}

/** A client connection silent this long is closed. */
const idleConnectionMs = 30_000

/** A JSON response. */
const json = (status: number, body: unknown) => HttpServerResponse.text(JSON.stringify(body), { status, contentType: "application/json" })

/** An error as the API answers it: the node's code and text, whether it is definite, and the status from the one table. */
const errorResponse = (code: number, text: string) =>
  json(httpStatusOfError(code), { type: "error", code, text, definite: isDefinite(code) })

/** The request's JSON body, decoded with `schema`, or the 400 (413 when too large) that says why it cannot be. */
const readBody = <A, I>(schema: Schema.Schema<A, I>) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const declared = Number(request.headers["content-length"] ?? "0")
    const tooLarge = errorResponse(ErrorCode.malformedRequest, `the body is larger than ${maxRequestBytes} bytes`)
    if (declared > maxRequestBytes) return Either.left(HttpServerResponse.setStatus(tooLarge, 413))
    const text = yield* Effect.either(HttpIncomingMessage.withMaxBodySize(request.text, Option.some(maxRequestBytes)))
    if (Either.isLeft(text)) {
      return Either.left(errorResponse(ErrorCode.malformedRequest, `the body could not be read (at most ${maxRequestBytes} bytes)`))
    }
    if (nestsDeeperThan(text.right, maxLineDepth)) {
      return Either.left(errorResponse(ErrorCode.malformedRequest, `the body nests deeper than ${maxLineDepth} levels`))
    }
    let value: unknown
    try {
      value = JSON.parse(text.right)
    } catch (error) {
      return Either.left(errorResponse(ErrorCode.malformedRequest, `the body is not JSON: ${(error as Error).message}`))
    }
    return Either.mapLeft(
      Schema.decodeUnknownEither(schema, { errors: "all" })(value),
      (error) => errorResponse(ErrorCode.malformedRequest, `bad body: ${describeParseError(error)}`)
    )
  })

/** The `:key` of the path, as the client wrote it (percent-decoded). */
const keyParam = Effect.map(HttpRouter.params, (params) => params["key"] ?? "")

/**
 * The HTTP client API of a served node, on `host:port`: each request is
 * handed to the node through the ClientGateway as a lin-kv or operator's
 * message, so the node serves it as any client's (forwarded to the leader,
 * de-duplicated, with the same error codes), and its reply is the response:
 * 200 with the reply's JSON, or an error with the status from httpStatus.ts,
 * `definite` telling whether the operation certainly did not happen. Bodies
 * are limited in size and depth as messages on the wire are.
 *
 *   GET  /kv/KEY              {"type":"read_ok","value":...}
 *   PUT  /kv/KEY              {"value":...}
 *   POST /kv/KEY/cas          {"from":...,"to":...}
 *   GET  /members             voters, learners, leader, term
 *   POST /members/add         {"node":"n3"}     POST /members/remove  {"node":"n3"}
 *   POST /reconfigure         {"voters":[...],"learners":[...]}
 *   POST /transfer            {"to":"n1"} (or {})
 *   GET  /status              role, term, leader, commit/applied index, log and snapshot
 */
export const HttpClientApi = (options: HttpClientApiOptions) => {
  const answer = (body: Body) =>
    Effect.flatMap(ClientGateway, (gateway) =>
      gateway.ask(body, options.answerTimeoutMs).pipe(
        Effect.match({
          onFailure: (timeout) => errorResponse(ErrorCode.timeout, `${timeout.message}; it may or may not have happened`),
          onSuccess: (reply) => {
            const { msg_id: _msgId, ...fields } = reply
            return reply.type === "error"
              ? errorResponse(Number(reply["code"]), String(reply["text"] ?? ""))
              : json(200, fields)
          }
        })
      ))

  /** Answers with the body's 400, or asks the node what `toMessage` makes of the body. */
  const withBody = <A, I>(schema: Schema.Schema<A, I>, toMessage: (body: A) => Effect.Effect<Body, never, HttpRouter.RouteContext>) =>
    Effect.flatMap(readBody(schema), (decoded) =>
      Either.isLeft(decoded) ? Effect.succeed(decoded.left) : Effect.flatMap(toMessage(decoded.right), answer))

  const router = HttpRouter.empty.pipe(
    HttpRouter.get("/kv/:key", Effect.flatMap(keyParam, (key) => answer({ type: "read", key }))),
    HttpRouter.put("/kv/:key", withBody(PutBody, ({ value }) => Effect.map(keyParam, (key) => ({ type: "write", key, value })))),
    HttpRouter.post("/kv/:key/cas", withBody(CasBody, ({ from, to }) => Effect.map(keyParam, (key) => ({ type: "cas", key, from, to })))),
    HttpRouter.get("/members", answer({ type: "members" })),
    HttpRouter.post("/members/add", withBody(MemberBody, ({ node }) => Effect.succeed({ type: "add_member", node }))),
    HttpRouter.post("/members/remove", withBody(MemberBody, ({ node }) => Effect.succeed({ type: "remove_member", node }))),
    HttpRouter.post("/reconfigure", withBody(ReconfigureBody, (body) => Effect.succeed({ type: "reconfigure", ...body }))),
    HttpRouter.post("/transfer", withBody(TransferBody, (body) => Effect.succeed({ type: "transfer_leadership", ...body }))),
    HttpRouter.get("/status", answer({ type: "status" }))
  )

  const app = router.pipe(
    Effect.catchTag("RouteNotFound",
      (notFound) =>
        Effect.succeed(errorResponse(ErrorCode.notSupported, `no such endpoint: ${notFound.request.method} ${notFound.request.url}`)).pipe(
          Effect.map(HttpServerResponse.setStatus(404))
        ))
  )

  return HttpServer.serve(app).pipe(
    Layer.provide(NodeHttpServer.layer(() => {
      // A client that sends its request slowly, or never, is cut off rather than held forever: its headers
      // must arrive within 10 s (checked every second), the whole request within 30 s, and a connection
      // with nothing on it for 30 s (a half-open one) is closed.
      const server = createServer({ headersTimeout: 10_000, requestTimeout: 30_000, connectionsCheckingInterval: 1_000 })
      // (The server's own setTimeout does not cover a connection on which no request ever began.)
      server.on("connection", (socket) => socket.setTimeout(idleConnectionMs, () => socket.destroy()))
      return server
    }, { host: options.host, port: options.port })),
    // The server's own error says only "An error has occurred": its cause is the system's.
    Layer.mapError((error) =>
      new ClientPortUnavailable({
        host: options.host,
        port: options.port,
        reason: error.cause instanceof Error ? error.cause.message : String(error.cause)
      })
    )
  )
}
