import { Schema } from "effect"

/** Any JSON value. Keys and values of the lin-kv workload are arbitrary JSON. */
export type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [key: string]: Json }

export const Json: Schema.Schema<Json> = Schema.Union(
  Schema.Null,
  Schema.Boolean,
  Schema.Number,
  Schema.String,
  Schema.Array(Schema.suspend(() => Json)),
  Schema.Record({ key: Schema.String, value: Schema.suspend(() => Json) })
)

/**
 * A canonical text for a JSON value: object keys sorted, so that two values are
 * equal as JSON exactly when their canonical texts are equal (2 and "2" differ).
 */
export const canonicalJson = (value: Json): string => {
  if (value === null || typeof value !== "object") return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`
  const record = value as { readonly [key: string]: Json }
  const keys = Object.keys(record).sort()
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k]!)}`).join(",")}}`
}

export const jsonEquals = (a: Json, b: Json): boolean => canonicalJson(a) === canonicalJson(b)
