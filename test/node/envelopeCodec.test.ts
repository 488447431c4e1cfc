import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import { decodeEnvelope, encodeEnvelope, type Envelope, EnvelopeFromJson } from "../../src/protocol/envelope.js"
import { type Draw, pick, seeded } from "../support/seededDraws.js"

const schemaDecode = Schema.decodeEither(EnvelopeFromJson)
const schemaEncode = Schema.encodeSync(EnvelopeFromJson)
/** Our encoding, which must succeed. */
const encoded = (envelope: Envelope) => Either.getOrThrow(encodeEnvelope(envelope))

const scalars: ReadonlyArray<unknown> = [
  "n1",
  "c3",
  "",
  "lin-kv",
  0,
  1,
  -4,
  7,
  2.5,
  1e300,
  9007199254740993,
  null,
  true,
  false,
  [],
  [1, "x"],
  { a: 1 }
]
const idLike: ReadonlyArray<unknown> = [0, 1, 42, -3, 2.5, 9007199254740993, "7", null]

/** A JSON object's text from its entries, so that keys may repeat, come in any order, or be `__proto__`. */
const objectText = (entries: ReadonlyArray<readonly [string, string]>) =>
  `{${entries.map(([key, text]) => `${JSON.stringify(key)}:${text}`).join(",")}}`

const shuffled = <A>(draw: Draw, items: ReadonlyArray<A>) =>
  items.map((item) => [draw(), item] as const).sort((a, b) => a[0] - b[0]).map(([, item]) => item)

/** A body's text: mostly well formed, with every kind of oddity now and then. */
const bodyText = (draw: Draw): string => {
  if (draw() < 0.05) return JSON.stringify(pick(draw, scalars))
  const entries: Array<readonly [string, string]> = []
  if (draw() < 0.95)
    entries.push(["type", JSON.stringify(draw() < 0.9 ? pick(draw, ["read_ok", "write", "append_entries"]) : pick(draw, scalars))])
  if (draw() < 0.7) entries.push(["msg_id", JSON.stringify(draw() < 0.8 ? Math.floor(draw() * 1000) : pick(draw, idLike))])
  if (draw() < 0.5) entries.push(["in_reply_to", JSON.stringify(draw() < 0.8 ? Math.floor(draw() * 1000) : pick(draw, idLike))])
  for (const key of ["key", "value", "entries", "1", "0", "__proto__", "msg_id"]) {
    if (draw() < 0.3) entries.push([key, JSON.stringify(pick(draw, scalars))])
  }
  return objectText(shuffled(draw, entries))
}

/** A stdout line: mostly a message, sometimes not even JSON. */
const lineOf = (draw: Draw): string => {
  const roll = draw()
  if (roll < 0.03) return "debug: hello"
  if (roll < 0.06) return JSON.stringify(pick(draw, scalars))
  const entries: Array<readonly [string, string]> = []
  if (draw() < 0.95) entries.push(["src", JSON.stringify(draw() < 0.9 ? pick(draw, ["n1", "c2", "lin-kv"]) : pick(draw, scalars))])
  if (draw() < 0.95) entries.push(["dest", JSON.stringify(draw() < 0.9 ? pick(draw, ["n2", "c1"]) : pick(draw, scalars))])
  if (draw() < 0.97) entries.push(["body", bodyText(draw)])
  if (draw() < 0.1) entries.push([pick(draw, ["id", "__proto__", "src"]), JSON.stringify(pick(draw, scalars))])
  const text = objectText(shuffled(draw, entries))
  return draw() < 0.02 ? text.slice(0, -1) : text
}

/** The decoded value with its key order made visible (toEqual ignores order). */
const withOrder = (value: unknown) => JSON.stringify(value)

describe("a message line, decoded and encoded without walking the schema", () => {
  it("decodes every line exactly as the schema does: accepted or not, same fields, same order", () => {
    const draw = seeded(14)
    let accepted = 0
    for (let i = 0; i < 20_000; i++) {
      const line = lineOf(draw)
      const ours = decodeEnvelope(line)
      const schemas = schemaDecode(line)
      expect(ours._tag, line).toBe(schemas._tag)
      if (Either.isRight(ours) && Either.isRight(schemas)) {
        accepted += 1
        expect(ours.right, line).toEqual(schemas.right)
        expect(withOrder(ours.right), line).toBe(withOrder(schemas.right))
        // A `__proto__` key must not make a difference either.
        expect(Object.getPrototypeOf(ours.right.body), line).toEqual(Object.getPrototypeOf(schemas.right.body))
        expect(encoded(ours.right), line).toBe(schemaEncode(schemas.right))
      }
    }
    // Both outcomes were exercised often.
    expect(accepted).toBeGreaterThan(5_000)
    expect(accepted).toBeLessThan(19_000)
  })

  it("encodes a message built in code exactly as the schema does, fields in the schema's order", () => {
    const request = { src: "c1", dest: "n1", body: { key: 3, value: 4, type: "write", msg_id: 9 } }
    expect(encoded(request)).toBe(schemaEncode(request))
    expect(encoded(request)).toBe(`{"src":"c1","dest":"n1","body":{"type":"write","msg_id":9,"key":3,"value":4}}`)
    const reply = { dest: "n2", src: "lin-kv", body: { in_reply_to: 5, type: "read_ok", value: [1, 2] } }
    expect(encoded(reply)).toBe(schemaEncode(reply))
    // An id set but undefined is left to the schema, which drops it.
    const unset = { src: "c1", dest: "n1", body: { type: "read", key: 1, msg_id: undefined } }
    expect(encoded(unset)).toBe(schemaEncode(unset))
  })

  it("refuses to encode what the schema refuses, saying why", () => {
    const bad = { src: "c1", dest: "n1", body: { type: "read", msg_id: 1.5 } }
    expect(() => schemaEncode(bad)).toThrow()
    const refused = encodeEnvelope(bad)
    expect(Either.isLeft(refused) && refused.left.reason).toContain("msg_id")
  })
})
