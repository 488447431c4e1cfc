import { describe, expect, it } from "@effect/vitest"
import { runSeed } from "../../sim/runSeed.js"
import { defaultScenario } from "../../sim/scenario.js"

describe("a failure of the simulator itself", () => {
  it("is reported as the simulation failing, not as a verdict on the node", () => {
    // The harness gives every node its disk when it starts the cluster: an exception there is the harness's own.
    const result = runSeed(1, {
      ...defaultScenario(3, new Set()),
      broken: { wrapDisk: () => {
        throw new Error("the storage could not be opened")
      } }
    })
    expect(result.violation).toMatchObject({ invariant: "simulation failed" })
    expect(result.violation!.detail).toContain("the storage could not be opened")
  })
})
