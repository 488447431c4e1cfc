import { Either, Option, type ParseResult, Schema, SchemaAST } from "effect"

/*
 * Decoding a message by walking its schema cost more CPU than everything else
 * a follower does with an AppendEntries (the profile in bench/perf/results.md).
 * A quick decoder is the same decoding compiled once into plain checks, for
 * the schema shapes the wire messages use: structs without index signatures,
 * arrays, literals, strings, numbers, booleans, refinements (Int, nonNegative)
 * and declared guards (Json). It yields exactly what the schema yields: the
 * same fields in the schema's order, excess fields dropped. Whenever it is
 * not sure (a shape it does not know, an input the checks refuse, a union two
 * members of which would accept) it steps aside and the schema decodes, so
 * every error is the schema's own. test/foundation/quickDecoder.test.ts holds
 * the two side by side.
 */

/** "The quick path cannot tell": the schema decides. */
const unsure: unique symbol = Symbol("unsure")
type Quick = (input: unknown) => unknown

const decodeOptions: SchemaAST.ParseOptions = {}

const isFields = (value: unknown): value is Record<PropertyKey, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** The plain checks for one node of a schema, or undefined when it has a shape they do not cover. */
const compile = (ast: SchemaAST.AST): Quick | undefined => {
  switch (ast._tag) {
    case "StringKeyword":
      return (input) => typeof input === "string" ? input : unsure
    case "NumberKeyword":
      return (input) => typeof input === "number" ? input : unsure
    case "BooleanKeyword":
      return (input) => typeof input === "boolean" ? input : unsure
    case "UndefinedKeyword":
      return (input) => input === undefined ? input : unsure
    case "UnknownKeyword":
    case "AnyKeyword":
      return (input) => input
    case "Literal": {
      const literal = ast.literal
      return (input) => input === literal ? input : unsure
    }
    case "Refinement": {
      const from = compile(ast.from)
      if (from === undefined) return undefined
      return (input) => {
        const value = from(input)
        return value !== unsure && Option.isNone(ast.filter(value, decodeOptions, ast)) ? value : unsure
      }
    }
    case "Declaration": {
      const parse = ast.decodeUnknown(...ast.typeParameters)
      return (input) => {
        const result = parse(input, decodeOptions, ast)
        return Either.isEither(result) && Either.isRight(result) ? result.right : unsure
      }
    }
    case "TupleType": {
      // An array: no fixed elements, one rest element.
      if (ast.elements.length !== 0 || ast.rest.length !== 1) return undefined
      const element = compile(ast.rest[0].type)
      if (element === undefined) return undefined
      return (input) => {
        if (!Array.isArray(input)) return unsure
        const output = new Array(input.length)
        for (let i = 0; i < input.length; i++) {
          const value = element(input[i])
          if (value === unsure) return unsure
          output[i] = value
        }
        return output
      }
    }
    case "TypeLiteral": {
      if (ast.indexSignatures.length !== 0) return undefined
      const fields: Array<{ readonly name: PropertyKey; readonly optional: boolean; readonly decode: Quick }> = []
      for (const signature of ast.propertySignatures) {
        const decode = compile(signature.type)
        if (decode === undefined) return undefined
        fields.push({ name: signature.name, optional: signature.isOptional, decode })
      }
      return (input) => {
        if (!isFields(input)) return unsure
        const output: Record<PropertyKey, unknown> = {}
        for (const { decode, name, optional } of fields) {
          const present = Object.hasOwn(input, name)
          if (!present && optional) continue
          // A required field that is absent is decoded from undefined, as the schema does.
          const value = decode(present ? input[name] : undefined)
          if (value === unsure) return unsure
          output[name] = value
        }
        return output
      }
    }
    case "Union": {
      const members: Array<Quick> = []
      for (const member of ast.types) {
        const decode = compile(member)
        if (decode === undefined) return undefined
        members.push(decode)
      }
      // The one member that accepts: with two, which one the schema picks is its business.
      return (input) => {
        let found: unknown = unsure
        for (const decode of members) {
          const value = decode(input)
          if (value === unsure) continue
          if (found !== unsure) return unsure
          found = value
        }
        return found
      }
    }
    default:
      return undefined
  }
}

/**
 * `Schema.decodeUnknownEither(schema, options)`, with the plain checks tried
 * first: the same results, errors included, at a fraction of the cost for
 * inputs of the shapes above.
 */
export const quickDecoder = <A, I>(
  schema: Schema.Schema<A, I, never>,
  options?: SchemaAST.ParseOptions
): (input: unknown) => Either.Either<A, ParseResult.ParseError> => {
  const bySchema = Schema.decodeUnknownEither(schema, options)
  // Options that change what a success looks like (kept excess fields, input order) are the schema's alone.
  const plain = options?.onExcessProperty === undefined && options?.propertyOrder === undefined && options?.exact === undefined
  const quick = plain ? compile(schema.ast) : undefined
  if (quick === undefined) return bySchema
  return (input) => {
    const value = quick(input)
    return value === unsure ? bySchema(input) : Either.right(value as A)
  }
}

/** `Schema.decodeUnknownOption(schema, options)`, by way of `quickDecoder`. */
export const quickOptionDecoder = <A, I>(
  schema: Schema.Schema<A, I, never>,
  options?: SchemaAST.ParseOptions
): (input: unknown) => Option.Option<A> => {
  const decode = quickDecoder(schema, options)
  return (input) => Either.getRight(decode(input))
}

/** Whether the plain checks cover every shape in the schema (else its decoder is the schema's alone). */
export const hasQuickPath = (schema: Schema.Schema.Any): boolean => compile(schema.ast) !== undefined
