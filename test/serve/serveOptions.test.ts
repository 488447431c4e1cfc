import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Either } from "effect"
import { NodeCommand, readNodeCommand } from "../../src/options/nodeCommand.js"
import { serveUsage } from "../../src/options/nodeUsage.js"
import { serveParameters } from "../../src/options/serveParameters.js"

const commandOf = (args: ReadonlyArray<string>, environment: Record<string, string> = {}) =>
  Effect.runSync(
    Effect.either(readNodeCommand(args)).pipe(
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(environment))))
    )
  )

const problemsOf = (args: ReadonlyArray<string>, environment: Record<string, string> = {}) =>
  Either.match(commandOf(args, environment), {
    onLeft: (error) => error.problems,
    onRight: (command) => [`not refused: ${command._tag}`]
  })

const peers = "n0=127.0.0.1:7000,n1=127.0.0.1:7001,n2=[::1]:7002"

describe("bin/raft serve's command line and environment", () => {
  it("reads the id, every member's address and the client port, beside the node's own settings", () => {
    const command = Either.getOrThrow(
      commandOf(["serve", "--id", "n1", "--peers", peers, "--client-port=8001", "--heartbeat-ms", "40", "--data-dir", "d"])
    )
    if (command._tag !== "Serve") throw new Error(`expected serve, got ${command._tag}`)
    expect(command.serve).toEqual({
      self: "n1",
      peers: [
        { id: "n0", host: "127.0.0.1", port: 7000 },
        { id: "n1", host: "127.0.0.1", port: 7001 },
        { id: "n2", host: "::1", port: 7002 }
      ],
      clientPort: 8001
    })
    expect(command.settings.raft.heartbeatMs).toBe(40)
  })

  it("takes each from its environment variable when no flag is given, the flag first", () => {
    const command = Either.getOrThrow(
      commandOf(["serve", "--client-port", "9000"], { RAFT_ID: "n0", RAFT_PEERS: peers, RAFT_CLIENT_PORT: "1" })
    )
    expect(command).toMatchObject({ _tag: "Serve", serve: { self: "n0", clientPort: 9000 } })
  })

  it("requires all three, naming each missing one", () => {
    expect(problemsOf(["serve"])).toEqual([
      "--id ID (or RAFT_ID, or --config) is required by bin/raft serve",
      "--peers ID=HOST:PORT,... (or RAFT_PEERS, or --config) is required by bin/raft serve",
      "--client-port PORT (or RAFT_CLIENT_PORT, or --config) is required by bin/raft serve"
    ])
  })

  it("refuses a bad member list, naming the entry and what is wrong with it", () => {
    const problems = (list: string) => problemsOf(["serve", "--id", "n0", "--peers", list, "--client-port", "8000"])
    expect(problems("n0=h:7000,n1")).toEqual(["--peers \"n0=h:7000,n1\": \"n1\" is not ID=HOST:PORT"])
    expect(problems("n0=h:70000")).toEqual(["--peers \"n0=h:70000\": \"n0=h:70000\": the port \"70000\" is not a number from 1 to 65535"])
    expect(problems("n0=:7000")).toEqual(["--peers \"n0=:7000\": \"n0=:7000\": the host is empty"])
    expect(problems("n0=h:1,n0=h:2")).toEqual(["--peers \"n0=h:1,n0=h:2\": n0 is named twice"])
    expect(problems("n0=h:1,n1=h:1")).toEqual(["--peers \"n0=h:1,n1=h:1\": n1 and n0 have the same address h:1"])
    expect(problems("n 0=h:1")[0]).toContain("is not a letter or digit")
    expect(problems("n1=h:1")).toEqual(["--id \"n0\" is not one of the members --peers names (n1)"])
    expect(problems("")).toEqual(["--peers \"\": expected ID=HOST:PORT for every member, separated by commas"])
  })

  it("refuses a client port that is no port or is the node's own peer port, and the node's bad settings too", () => {
    expect(problemsOf(["serve", "--id", "n0", "--peers", peers, "--client-port", "http", "--heartbeat-ms", "0"])).toEqual([
      "--heartbeat-ms \"0\": expected a positive integer",
      "--client-port \"http\": expected a port number from 1 to 65535"
    ])
    expect(problemsOf(["serve", "--id", "n0", "--peers", peers], { RAFT_CLIENT_PORT: "7000" })).toEqual([
      "RAFT_CLIENT_PORT=\"7000\" is n0's peer port in --peers too: the two need ports of their own"
    ])
  })

  it("refuses unknown flags with a suggestion, and leaves the Maelstrom mode without the serve flags", () => {
    expect(problemsOf(["serve", "--id", "n0", "--peers", peers, "--client-port", "8000", "--peer", "x"])).toEqual([
      "unknown flag --peer (did you mean --peers?)"
    ])
    expect(problemsOf(["--id", "n0"])).toEqual(["unknown flag --id"])
    expect(problemsOf(["serve", "now"])[0]).toBe("unexpected argument \"now\": bin/raft serve takes only flags")
    // The Maelstrom mode does not read the serve mode's variables.
    expect(Either.getOrThrow(commandOf([], { RAFT_PEERS: "garbage" }))._tag).toBe("RunNode")
  })

  it("reads a JSON config file, below flags and variables, and names the file in every problem with it", () => {
    const directory = mkdtempSync(join(tmpdir(), "serve-config-"))
    const file = (name: string, text: string) => {
      const path = join(directory, name)
      writeFileSync(path, text)
      return path
    }
    const good = file("good.json", JSON.stringify({ id: "n2", peers, "client-port": 8002, "heartbeat-ms": 30, "data-dir": "d" }))
    const command = Either.getOrThrow(commandOf(["serve", "--config", good, "--heartbeat-ms", "40"], { RAFT_ID: "n1" }))
    expect(command).toMatchObject({ _tag: "Serve", serve: { self: "n1", clientPort: 8002 }, settings: { raft: { heartbeatMs: 40 } } })
    expect(Either.getOrThrow(commandOf(["serve"], { RAFT_CONFIG: good }))).toMatchObject({ serve: { self: "n2" } })
    const bad = file("bad.json",
      JSON.stringify({ id: "n0", peers, "client-port": 8000, "heartbeat-ms": "fast", "peer": 1, "data-dir": [1] }))
    expect(problemsOf(["serve", "--config", bad])).toEqual([
      `config file ${bad}: unknown setting "peer" (did you mean "peers"?)`,
      `config file ${bad}: "data-dir" is [1]; expected a string or a number`
    ])
    const badValue = file("value.json", JSON.stringify({ id: "n0", peers, "client-port": "http", "heartbeat-ms": "fast" }))
    expect(problemsOf(["serve", "--config", badValue])).toEqual([
      `"heartbeat-ms": "fast" in ${badValue}: expected a positive integer`,
      `"client-port": "http" in ${badValue}: expected a port number from 1 to 65535`
    ])
    expect(problemsOf(["serve", "--config", file("list.json", "[1]")])[0]).toContain("expected a JSON object of settings")
    expect(problemsOf(["serve", "--config", join(directory, "none.json")])[0]).toMatch(/^config file .*none\.json cannot be read: ENOENT/)
    // The Maelstrom mode has no config file.
    expect(problemsOf(["--config", good])).toEqual(["unknown flag --config"])
    rmSync(directory, { recursive: true, force: true })
  })

  it("prints the serve usage for --help without needing the required settings, listing every setting", () => {
    expect(commandOf(["serve", "--help"])).toEqual(Either.right(NodeCommand.ShowHelp({ mode: "serve" })))
    for (const { flag, placeholder, variable } of serveParameters) {
      expect(serveUsage).toContain(`${flag} ${placeholder}`)
      expect(serveUsage).toContain(variable)
    }
  })
})
