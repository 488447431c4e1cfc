import { quickDecoder } from "../../foundation/quickDecoder.js"
import { Either, Schema } from "effect"
import { describeParseError } from "../../foundation/describeParseError.js"
import type { Body } from "../../services/Network.js"
import { ErrorCode } from "./errorCodes.js"
import { type ErrorReply, errorReply } from "./kvMessages.js"

/** A request schema, known by the literal of its `type` field. */
interface RequestSchema {
  readonly fields: { readonly type: { readonly literals: ReadonlyArray<unknown> } }
}

/**
 * Decodes a message body by its type with the schema of that type, or gives
 * the error its sender gets: 10 for a type none of the schemas has, 12 for a
 * body its schema refuses, naming every field that is wrong.
 */
export const requestDecoder = <A>(schemas: ReadonlyArray<RequestSchema>): (body: Body) => Either.Either<A, ErrorReply> => {
  const decoders = new Map(
    schemas.map((schema) => [
      schema.fields.type.literals[0] as string,
      quickDecoder(schema as unknown as Schema.Schema<A, unknown>, { errors: "all" })
    ])
  )
  return (body) => {
    const decode = decoders.get(body.type)
    if (decode === undefined) {
      return Either.left(errorReply(ErrorCode.notSupported, `unsupported message type ${JSON.stringify(body.type)}`))
    }
    return Either.mapLeft(
      decode(body),
      (error) => errorReply(ErrorCode.malformedRequest, `malformed ${body.type}: ${describeParseError(error)}`)
    )
  }
}
