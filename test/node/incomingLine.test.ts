import { describe, expect, it } from "@effect/vitest"
import { readIncomingLine } from "../../src/protocol/incomingLine.js"
import { nestedArrayText } from "../support/nestedJson.js"

const line = (text: string) => readIncomingLine({ _tag: "Line", text })

describe("a line of input, read without effects", () => {
  it("is a message when it is a valid envelope, with every field of its body", () => {
    expect(line(`{"src":"c1","dest":"n1","body":{"type":"cas","msg_id":4,"key":1,"from":[2],"to":{"a":3}}}`)).toEqual({
      _tag: "Message",
      envelope: { src: "c1", dest: "n1", body: { type: "cas", msg_id: 4, key: 1, from: [2], to: { a: 3 } } }
    })
  })

  it("is nothing when blank, and keeps only the length of a line that was too long", () => {
    expect(line("  \t")).toEqual({ _tag: "Blank" })
    expect(readIncomingLine({ _tag: "TooLong", bytes: 200 })).toEqual({ _tag: "TooLong", bytes: 200 })
  })

  it("is malformed, with the reason and the sender to answer, when the envelope is not valid", () => {
    expect(line(`{"src":"c1","dest":"n1","body":{"msg_id":9001}}`)).toEqual({
      _tag: "Malformed",
      text: `{"src":"c1","dest":"n1","body":{"msg_id":9001}}`,
      problem: "body.type: is missing",
      address: { src: "c1", dest: "n1", msgId: 9001 }
    })
    expect(line(`{"src":"c1","dest":"n1","body":{"type":"read","msg_id":1.5}}`)).toMatchObject({
      _tag: "Malformed",
      problem: expect.stringContaining("body.msg_id: Expected an integer, actual 1.5"),
      address: undefined
    })
  })

  it("is malformed with nobody to answer when it is not JSON", () => {
    expect(line("this is not json")).toMatchObject({ _tag: "Malformed", address: undefined })
    expect(line(`{"src": "c1"`)).toMatchObject({ _tag: "Malformed", address: undefined })
  })

  it("is refused before decoding when it nests deeper than the limit, answered when it names its sender", () => {
    const deep = `{"src":"c1","dest":"n1","body":{"type":"write","msg_id":77,"key":1,"value":${nestedArrayText(100_000)}}}`
    expect(line(deep)).toMatchObject({
      _tag: "Malformed",
      problem: "the message nests arrays and objects deeper than 128 levels",
      address: { src: "c1", dest: "n1", msgId: 77 }
    })
  })
})
