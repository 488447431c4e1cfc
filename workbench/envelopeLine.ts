import { Either, Schema } from "effect"
import { type Body, type Envelope, EnvelopeFromJson } from "../src/protocol/envelope.js"

/*
 * Every message the workbench routes is decoded from a node's stdout line and
 * encoded again for the receiving node's stdin. `EnvelopeFromJson` is the
 * authority on both; walking its schema for each message cost the workbench
 * about as much CPU as the rest of the routing, so a message of the plain
 * shape every node prints (string src, dest and type, integer ids) takes a direct path that yields exactly what the schema
 * would: the same fields in the same order (src, dest, body; in the body
 * type, msg_id, in_reply_to, then the others as they came). Anything else
 * goes through the schema itself. test/workbench/envelopeLine.test.ts holds
 * the two side by side.
 */

const schemaDecode = Schema.decodeEither(EnvelopeFromJson)
const schemaEncode = Schema.encodeSync(EnvelopeFromJson)

type Fields = Record<string, unknown>

const isObject = (value: unknown): value is Fields =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** An optional integer id as `Schema.optional(Schema.Int)` accepts it from JSON: absent, or a safe integer. */
const isPlainId = (fields: Fields, key: "msg_id" | "in_reply_to") =>
  !Object.hasOwn(fields, key) || Number.isSafeInteger(fields[key])

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

/** A stdout line as a message, or Left when it is none: as `Schema.decodeEither(EnvelopeFromJson)`. */
export const decodeEnvelopeLine = (line: string): Either.Either<Envelope, unknown> => {
  let parsed: unknown
  try {
    parsed = JSON.parse(line)
  } catch {
    return schemaDecode(line)
  }
  const envelope = plainEnvelope(parsed)
  return envelope === undefined ? schemaDecode(line) : Either.right(envelope)
}

/** A message as one line of JSON (without the newline): as `Schema.encodeSync(EnvelopeFromJson)`. */
export const encodeEnvelopeLine = (envelope: Envelope): string => {
  const plain = plainEnvelope(envelope)
  return plain === undefined ? schemaEncode(envelope) : JSON.stringify(plain)
}
