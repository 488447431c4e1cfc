import { describe, expect, it } from "vitest"
import { splitNodeArguments } from "../../workbench/nodeArguments.js"

const flags = new Set(["--log-stderr"])

describe("splitNodeArguments", () => {
  it("keeps every option with its value, misspelt ones too, for the option parser", () => {
    expect(splitNodeArguments(["--node-cont", "3", "--time-limt", "3", "--bin", "x"], flags)).toEqual({
      options: ["--node-cont", "3", "--time-limt", "3", "--bin", "x"],
      nodeArguments: []
    })
  })

  it("gives the node every word from the first one that is no option or option value", () => {
    expect(splitNodeArguments(["--bin", "x", "--log-stderr", "kv", "--quiet", "-v"], flags)).toEqual({
      options: ["--bin", "x", "--log-stderr"],
      nodeArguments: ["kv", "--quiet", "-v"]
    })
  })

  it("gives the node everything after --, and takes negative numbers and --flag=value as option values", () => {
    expect(splitNodeArguments(["--latency", "-1", "--rate=5", "--", "--quiet"], flags)).toEqual({
      options: ["--latency", "-1", "--rate=5"],
      nodeArguments: ["--quiet"]
    })
  })
})
