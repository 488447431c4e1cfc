import { readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Either, Option } from "effect"
import { closestFlags } from "../../src/options/closestFlags.js"
import { describeNodeSettings } from "../../src/options/describeNodeSettings.js"
import { NodeCommand, readNodeCommand } from "../../src/options/nodeCommand.js"
import { parameters } from "../../src/options/nodeParameters.js"
import { nodeUsage } from "../../src/options/nodeUsage.js"
import { defaultRaftConfig } from "../../services/RaftConfig.js"
import { defaultQuotaBytes } from "../../src/kv/KvQuota.js"

/** What bin/raft makes of these arguments with exactly these environment variables set. */
const commandOf = (args: ReadonlyArray<string>, environment: Record<string, string> = {}) =>
  Effect.runSync(
    Effect.either(readNodeCommand(args)).pipe(
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(environment))))
    )
  )

const settingsOf = (args: ReadonlyArray<string>, environment: Record<string, string> = {}) => {
  const command = Either.getOrThrow(commandOf(args, environment))
  if (command._tag !== "RunNode") throw new Error(`expected a node run, got ${command._tag}`)
  return command.settings
}

/** The problems a refused command line names, in order. */
const problemsOf = (args: ReadonlyArray<string>, environment: Record<string, string> = {}) =>
  Either.match(commandOf(args, environment), {
    onLeft: (error) => error.problems,
    onRight: (command) => [`not refused: ${command._tag}`]
  })

describe("bin/raft's command line and environment", () => {
  it("runs a node with the defaults and a log in memory when nothing is given, as Maelstrom starts it", () => {
    expect(settingsOf([])).toEqual({ dataDir: Option.none(), quotaBytes: defaultQuotaBytes, raft: defaultRaftConfig })
  })

  it("takes the store's quota from --quota-bytes or RAFT_QUOTA_BYTES, a positive integer", () => {
    expect(settingsOf(["--quota-bytes", "1000"]).quotaBytes).toBe(1000)
    expect(settingsOf([], { RAFT_QUOTA_BYTES: "2000" }).quotaBytes).toBe(2000)
    expect(problemsOf(["--quota-bytes", "0"])).toEqual(["--quota-bytes \"0\": expected a positive integer"])
    expect(problemsOf([], { RAFT_QUOTA_BYTES: "1GB" })).toEqual(["RAFT_QUOTA_BYTES=\"1GB\": expected a positive integer"])
  })

  it("takes a flag in either form, before its environment variable, and a variable where no flag is given", () => {
    const settings = settingsOf(["--snapshot-bytes=4096", "--snapshot-every", "7", "--data-dir", "data"], {
      RAFT_SNAPSHOT_BYTES: "99",
      RAFT_HEARTBEAT_MS: "75",
      RAFT_DATA_DIR: "elsewhere"
    })
    expect(settings.raft).toEqual({ ...defaultRaftConfig, snapshotBytes: 4096, snapshotEvery: 7, heartbeatMs: 75 })
    expect(settings.dataDir).toEqual(Option.some("data"))
    expect(settingsOf([], { RAFT_DATA_DIR: "elsewhere" }).dataDir).toEqual(Option.some("elsewhere"))
  })

  it("takes the read mode from --read-mode or RAFT_READ_MODE, index (ReadIndex) unless given, and refuses any other", () => {
    expect(settingsOf([]).raft.readMode).toBe("index")
    expect(settingsOf(["--read-mode", "lease"]).raft.readMode).toBe("lease")
    expect(settingsOf([], { RAFT_READ_MODE: "lease" }).raft.readMode).toBe("lease")
    expect(settingsOf(["--read-mode=index"], { RAFT_READ_MODE: "lease" }).raft.readMode).toBe("index")
    expect(problemsOf(["--read-mode", "Lease"])).toEqual(["--read-mode \"Lease\": expected index or lease"])
    expect(problemsOf([], { RAFT_READ_MODE: "fast" })).toEqual(["RAFT_READ_MODE=\"fast\": expected index or lease"])
  })

  it("refuses unknown flags, naming each and the flag it probably meant", () => {
    expect(problemsOf(["--datadir", "data", "--snapshot-evry", "5", "--help"])).toEqual([
      "unknown flag --datadir (did you mean --data-dir?)",
      "unknown flag --snapshot-evry (did you mean --snapshot-every?)"
    ])
    expect(problemsOf(["--snapshot=5"])).toEqual([
      "unknown flag --snapshot (did you mean --snapshot-every, --snapshot-bytes or --snapshot-chunk-chars?)"
    ])
    expect(problemsOf(["--verbose", "--hlep"])).toEqual(["unknown flag --verbose", "unknown flag --hlep (did you mean --help?)"])
    expect(problemsOf(["data"])).toEqual(["unexpected argument \"data\": bin/raft takes only flags"])
  })

  it("refuses a value that is not a positive integer, naming the flag or variable, the value and what is expected", () => {
    expect(problemsOf(["--snapshot-bytes", "0", "--heartbeat-ms=75ms", "--rpc-timeout-ms", "1.5"])).toEqual([
      "--heartbeat-ms \"75ms\": expected a positive integer",
      "--rpc-timeout-ms \"1.5\": expected a positive integer",
      "--snapshot-bytes \"0\": expected a positive integer"
    ])
    expect(problemsOf([], { RAFT_HEARTBEAT_MS: "abc" })).toEqual(["RAFT_HEARTBEAT_MS=\"abc\": expected a positive integer"])
    expect(problemsOf(["--data-dir="])).toEqual(["--data-dir \"\": expected a directory"])
  })

  it("refuses a flag without its value, or given twice", () => {
    expect(problemsOf(["--heartbeat-ms"])).toEqual(["--heartbeat-ms is missing its value: --heartbeat-ms MS or --heartbeat-ms=MS"])
    expect(problemsOf(["--data-dir", "--heartbeat-ms", "60"])).toEqual([
      "--data-dir is missing its value: --data-dir DIR or --data-dir=DIR"
    ])
    expect(problemsOf(["--heartbeat-ms", "60", "--heartbeat-ms=70"])).toEqual([
      "--heartbeat-ms is given twice (\"60\" and \"70\"): give it once"
    ])
  })

  it("refuses an election timeout minimum above its maximum, naming where each came from", () => {
    expect(problemsOf(["--election-timeout-min-ms", "900"])).toEqual([
      "--election-timeout-min-ms 900 is above --election-timeout-max-ms 800 (its default): the election timeout's minimum must not exceed its maximum"
    ])
    expect(problemsOf(["--election-timeout-max-ms", "300"], { RAFT_ELECTION_TIMEOUT_MIN_MS: "350" })).toEqual([
      "RAFT_ELECTION_TIMEOUT_MIN_MS=350 is above --election-timeout-max-ms 300: the election timeout's minimum must not exceed its maximum"
    ])
  })

  it("shows the usage for --help or -h when nothing else is wrong", () => {
    expect(commandOf(["--help"])).toEqual(Either.right(NodeCommand.ShowHelp({ mode: "maelstrom" })))
    expect(commandOf(["--heartbeat-ms", "75", "-h"])).toEqual(Either.right(NodeCommand.ShowHelp({ mode: "maelstrom" })))
    expect(problemsOf(["--help=yes"])).toEqual(["--help takes no value"])
  })

  it("suggests nothing for a word near no flag, or near too many", () => {
    expect(closestFlags("--verbose", parameters.map(({ flag }) => flag))).toEqual([])
    expect(closestFlags("--x", parameters.map(({ flag }) => flag))).toEqual([])
  })
})

describe("bin/raft's usage text and start line", () => {
  it("lists every flag with its environment variable, its default and its meaning", () => {
    for (const { flag, meaning, placeholder, shownDefault, variable } of parameters) {
      const line = nodeUsage.split("\n").find((text) => text.trimStart().startsWith(`${flag} ${placeholder} `))
      expect(line, flag).toMatch(new RegExp(`${variable}\\s+default: ${shownDefault}$`))
      expect(nodeUsage.replace(/\s+/g, " "), flag).toContain(meaning)
    }
    expect(nodeUsage).toContain("--data-dir DIR")
    expect(nodeUsage).toContain("default: 8388608")
  })

  it("is what README.md's table says: every flag with its variable and default", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8")
    for (const { flag, placeholder, shownDefault, variable } of parameters) {
      expect(readme, flag).toContain(`| \`${flag} ${placeholder}\` | \`${variable}\` | ${shownDefault} |`)
    }
  })

  it("names the log and every Raft parameter in force", () => {
    const settings = settingsOf(["--data-dir", "/var/raft", "--heartbeat-ms", "75"])
    expect(describeNodeSettings(settings, "n2")).toBe(
      "n2 runs with its log in /var/raft/n2.log; --quota-bytes 268435456 --heartbeat-ms 75 --election-timeout-min-ms 400 --election-timeout-max-ms 800 " +
        "--rpc-timeout-ms 500 --request-timeout-ms 2000 --max-entries-per-message 64 --max-inflight-per-peer 4 " +
        "--snapshot-every 10000 --snapshot-bytes 8388608 --snapshot-chunk-chars 65536 --read-mode index"
    )
    expect(describeNodeSettings(settingsOf(["--read-mode", "lease"]), "n1")).toMatch(/ --read-mode lease$/)
    expect(describeNodeSettings(settingsOf([]), "n1")).toMatch(
      /^n1 runs with its log in memory \(lost when the process ends\); --quota-bytes 268435456 --heartbeat-ms 50 /
    )
  })
})
