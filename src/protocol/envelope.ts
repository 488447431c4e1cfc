import { Data, Either, ParseResult, Schema } from "effect"

/** A node or client id: `n1`, `n2`, ... for servers, `c1`, `c2`, ... for clients. */
export const NodeId = Schema.String
export type NodeId = typeof NodeId.Type

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
export const Body = Schema.Struct(bodyHeader, Schema.Record({ key: Schema.String, value: Schema.Unknown }))
export type Body = typeof Body.Type

/** One Maelstrom message: `{"src": ..., "dest": ..., "body": {...}}`. */
export const Envelope = Schema.Struct({ src: NodeId, dest: NodeId, body: Body })
export type Envelope = typeof Envelope.Type

/** A line of JSON text holding one envelope. */
export const EnvelopeFromJson = Schema.parseJson(Envelope)

/**
 * True of exactly the JSON values `Envelope` accepts: the body's index
 * signature takes any other field, so only the header is checked, and the
 * body's other fields are neither walked nor copied.
 */
const isEnvelope = Schema.is(Schema.Struct({ src: NodeId, dest: NodeId, body: Schema.Struct(bodyHeader) })) as (
  value: unknown
) => value is Envelope

const decodeInFull = Schema.decodeUnknownEither(EnvelopeFromJson)

/**
 * The envelope on one line of JSON text, as `EnvelopeFromJson` decodes it.
 * A valid envelope is the parsed value itself, checked but not copied (the
 * dispatcher decodes the body by the schema of its type; fields the schema
 * does not name, such as Maelstrom's `id`, stay on the object, unread); only
 * a line that fails the check is decoded by the schema, for the error's text.
 */
export const decodeEnvelope = (text: string): Either.Either<Envelope, ParseResult.ParseError> => {
  try {
    // JSON.parse is not recursive in V8: safe on any nesting.
    const value: unknown = JSON.parse(text)
    if (isEnvelope(value)) return Either.right(value)
  } catch {
    // not JSON: the schema says so below
  }
  return decodeInFull(text)
}

/** A message that JSON cannot hold (a BigInt, a cycle), and why. */
export class UnencodableEnvelope extends Data.TaggedError("UnencodableEnvelope")<{ readonly reason: string }> {}

/**
 * One envelope as a line of JSON text (without the newline). The values a
 * node sends are typed, so JSON.stringify writes what `EnvelopeFromJson`
 * would, without checking each field again.
 */
export const encodeEnvelope = (envelope: Envelope): Either.Either<string, UnencodableEnvelope> => {
  try {
    return Either.right(JSON.stringify(envelope))
  } catch (error) {
    return Either.left(new UnencodableEnvelope({ reason: error instanceof Error ? error.message : String(error) }))
  }
}
