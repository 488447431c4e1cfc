import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { RaftConfigFromFlagsAndEnvironment } from "../../layers/RaftConfigFromFlagsAndEnvironment.js"
import { defaultRaftConfig, RaftConfig } from "../../services/RaftConfig.js"

/** The node's settings from these arguments, with these variables set in the process's environment meanwhile. */
const configOf = (args: ReadonlyArray<string>, environment: Record<string, string> = {}) => {
  Object.assign(process.env, environment)
  try {
    return Effect.runSync(
      Effect.either(RaftConfig).pipe(
        Effect.provide(RaftConfigFromFlagsAndEnvironment(args)),
        Effect.catchAllCause((cause) => Effect.succeed(Either.left(cause)))
      )
    )
  } finally {
    for (const name of Object.keys(environment)) delete process.env[name]
  }
}

describe("bin/raft's settings from flags and environment", () => {
  it("uses the defaults when nothing is given", () => {
    expect(configOf([])).toEqual(Either.right(defaultRaftConfig))
  })

  it("takes a flag in either form, before the environment", () => {
    const config = configOf(["--snapshot-bytes=4096", "--snapshot-every", "7"], {
      RAFT_SNAPSHOT_BYTES: "99",
      RAFT_HEARTBEAT_MS: "75"
    })
    expect(Either.getOrThrow(config)).toMatchObject({ snapshotBytes: 4096, snapshotEvery: 7, heartbeatMs: 75 })
  })

  it("refuses a value that is not a positive integer, naming it", () => {
    const config = configOf(["--snapshot-bytes", "0"])
    expect(Either.isLeft(config)).toBe(true)
    expect(String(Either.isLeft(config) ? config.left : "")).toContain("RAFT_SNAPSHOT_BYTES")
  })
})
