import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { parseNemesis } from "../../workbench/testOptions.js"

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
