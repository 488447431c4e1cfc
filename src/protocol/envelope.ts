import { Data, Either, type ParseResult, Schema } from "effect"
import type * as Wire from "../../services/Network.js"
import { describeParseError } from "../../foundation/describeParseError.js"

/** A node or client id: `n1`, `n2`, ... for servers, `c1`, `c2`, ... for clients. */
export const NodeId = Schema.String
export type NodeId = Wire.NodeId

/** The fields every message body may have, whatever its type. */
const bodyHeader = {
  type: Schema.String,
  msg_id: Schema.optional(Schema.Int),
  in_reply_to: Schema.optional(Schema.Int)
}

/**
 * A message body as it travels: a `type`, optional `msg_id` / `in_reply_to`,
 * and the type's own fields (decoded further by the schema of its type).
 */
export const Body = Schema.Struct(bodyHeader, Schema.Record({ key: Schema.String, value: Schema.Unknown })) satisfies Schema.Schema<
  Wire.Body,
  any
>
export type Body = Wire.Body

/** One Maelstrom message: `{"src": ..., "dest": ..., "body": {...}}`. */
export const Envelope = Schema.Struct({ src: NodeId, dest: NodeId, body: Body }) satisfies Schema.Schema<Wire.Envelope, any>
export type Envelope = Wire.Envelope

/** A line of JSON text holding one envelope. */
export const EnvelopeFromJson = Schema.parseJson(Envelope)

/*
 * Decoding and encoding without walking the schema. Every message a node
 * reads, and every one the workbench routes, passes through here; walking
 * `EnvelopeFromJson` for each cost as much CPU as the rest of the handling.
 * A message of the plain shape every node prints (string src, dest and
 * type, integer ids) takes a direct path that yields exactly what the schema
 * would: the same fields in the same order (src, dest, body; in the body
 * type, msg_id, in_reply_to, then the others as they came). Anything else
 * goes through the schema itself, which also gives the error's text.
 * test/node/envelopeCodec.test.ts holds the two side by side.
 */

const schemaDecode = Schema.decodeUnknownEither(EnvelopeFromJson)
const schemaEncode = Schema.encodeEither(EnvelopeFromJson)

type Fields = Record<string, unknown>

const isObject = (value: unknown): value is Fields => typeof value === "object" && value !== null && !Array.isArray(value)

/** An optional integer id as `Schema.optional(Schema.Int)` accepts it from JSON: absent, or a safe integer. */
const isPlainId = (fields: Fields, key: "msg_id" | "in_reply_to") => !Object.hasOwn(fields, key) || Number.isSafeInteger(fields[key])

/** The body in the schema's field order, or undefined when it is not of the plain shape. */
const plainBody = (body: unknown): Body | undefined => {
  if (!isObject(body) || typeof body.type !== "string" || !isPlainId(body, "msg_id") || !isPlainId(body, "in_reply_to")) {
    return undefined
  }
  const ordered: Fields = { type: body.type }
  if (Object.hasOwn(body, "msg_id")) ordered.msg_id = body.msg_id
  if (Object.hasOwn(body, "in_reply_to")) ordered.in_reply_to = body.in_reply_to
  // A `__proto__` key sets the prototype here as in the schema's own copy (the test checks it).
  for (const key of Object.keys(body)) {
    if (key !== "type" && key !== "msg_id" && key !== "in_reply_to") ordered[key] = body[key]
  }
  return ordered as Body
}

/** The envelope in the schema's field order, or undefined when it is not of the plain shape. */
const plainEnvelope = (value: unknown): Envelope | undefined => {
  if (!isObject(value) || typeof value.src !== "string" || typeof value.dest !== "string") return undefined
  const body = plainBody(value.body)
  return body === undefined ? undefined : { src: value.src, dest: value.dest, body }
}

/** The envelope on one line of JSON text, exactly as `EnvelopeFromJson` decodes it. */
export const decodeEnvelope = (text: string): Either.Either<Envelope, ParseResult.ParseError> => {
  let parsed: unknown
  try {
    // JSON.parse is not recursive in V8: safe on any nesting.
    parsed = JSON.parse(text)
  } catch {
    return schemaDecode(text)
  }
  const envelope = plainEnvelope(parsed)
  return envelope === undefined ? schemaDecode(text) : Either.right(envelope)
}

/** A message that cannot be sent as JSON (an id that is no integer, a BigInt, a cycle), and why. */
export class UnencodableEnvelope extends Data.TaggedError("UnencodableEnvelope")<{ readonly reason: string }> {}

/** One envelope as a line of JSON text (without the newline), exactly as `EnvelopeFromJson` encodes it. */
export const encodeEnvelope = (envelope: Envelope): Either.Either<string, UnencodableEnvelope> => {
  const plain = plainEnvelope(envelope)
  if (plain === undefined) {
    return Either.mapLeft(schemaEncode(envelope), (error) => new UnencodableEnvelope({ reason: describeParseError(error) }))
  }
  try {
    return Either.right(JSON.stringify(plain))
  } catch (error) {
    return Either.left(new UnencodableEnvelope({ reason: error instanceof Error ? error.message : String(error) }))
  }
}
