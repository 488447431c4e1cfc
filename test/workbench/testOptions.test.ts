import { Effect, Either, Option } from "effect"
import { describe, expect, it } from "vitest"
import { toTestOptions } from "../../workbench/cli.js"
import { parseNemesis } from "../../workbench/testOptions.js"
import { parsedOptions } from "./parsedOptions.js"

describe("--nemesis", () => {
  it("takes partition, kill, pause, corrupt, transfer and membership in any combination, comma-separated, each once", () => {
    expect(parseNemesis("partition")).toEqual(Either.right(["partition"]))
    expect(parseNemesis("corrupt,kill,partition")).toEqual(Either.right(["corrupt", "kill", "partition"]))
    expect(parseNemesis("kill,pause,partition")).toEqual(Either.right(["kill", "pause", "partition"]))
    expect(parseNemesis("pause , kill,pause")).toEqual(Either.right(["pause", "kill"]))
    expect(parseNemesis("transfer,partition,kill")).toEqual(Either.right(["transfer", "partition", "kill"]))
    expect(parseNemesis("membership,transfer,partition,kill")).toEqual(Either.right(["membership", "transfer", "partition", "kill"]))
  })

  it("refuses an unknown fault, naming it and the faults there are", () => {
    expect(Either.isLeft(parseNemesis("transfers"))).toBe(true)
    const refused = Either.flip(parseNemesis("kill,clock,"))
    expect(Either.map(refused, (error) => error.message)).toEqual(Either.right(
      "--nemesis \"kill,clock,\": unknown fault \"clock\", \"\"; the faults are partition, kill, pause, corrupt, transfer, membership, in any combination separated by commas"
    ))
  })
})

describe("--value-bytes", () => {
  const options = (valueBytes: string | undefined) =>
    Effect.runSync(Effect.either(toTestOptions(parsedOptions({ valueBytes: Option.fromNullable(valueBytes) }))))
  const valueBytesOf = (text: string | undefined) => Either.map(options(text), (test) => test.valueBytes)
  const refusalOf = (text: string) => Either.flip(options(text)).pipe(Either.map((error) => error.message))

  it("is left out by default (the integers 0 to 4 are written), and takes a size from 1 byte to 1 MiB", () => {
    expect(valueBytesOf(undefined)).toEqual(Either.right(undefined))
    expect(valueBytesOf("1")).toEqual(Either.right(1))
    expect(valueBytesOf("65536")).toEqual(Either.right(65536))
    expect(valueBytesOf("1048576")).toEqual(Either.right(1048576))
  })

  it("refuses anything else, naming the flag and what it takes", () => {
    for (const text of ["0", "-5", "1.5", "abc", ""]) {
      expect(refusalOf(text)).toEqual(Either.right(`--value-bytes ${JSON.stringify(text)}: expected a positive integer`))
    }
    expect(refusalOf("1048577")).toEqual(Either.right("--value-bytes \"1048577\": expected at most 1048576 (1 MiB)"))
  })
})
