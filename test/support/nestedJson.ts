import type { Json } from "../../foundation/json.js"

/** A JSON value `depth` levels of arrays deep around a string: `nested(2, "x")` is `[["x"]]`. */
export const nested = (depth: number, inside: string): Json => {
  let value: Json = inside
  for (let i = 0; i < depth; i++) value = [value]
  return value
}

/** The text of an array `depth` levels deep, for depths JSON.stringify cannot reach. */
export const nestedArrayText = (depth: number): string => `${"[".repeat(depth)}${"]".repeat(depth)}`
