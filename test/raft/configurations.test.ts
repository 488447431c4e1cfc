import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import type { Configuration, Entry } from "../../services/Log.js"
import { emptyMemoryLogStorage, makeMemoryLog } from "../../layers/MemoryLog.js"
import { membershipTarget } from "../../src/raft/configurationChanges.js"
import { changeBlocked, configurationStep, initialConfiguration, trackConfigurations } from "../../src/raft/configurations.js"
import { MembershipChangeFailed } from "../../src/raft/RaftErrors.js"
import { initialRaftState, type RaftState } from "../../src/raft/RaftState.js"

const nodes = ["n1", "n2", "n3", "n4"]
const initial = initialConfiguration(["n1", "n2", "n3"])
const joint: Configuration = { voters: ["n1", "n2", "n4"], learners: [], outgoing: ["n1", "n2", "n3"] }
const final: Configuration = { voters: ["n1", "n2", "n4"], learners: [] }
const command = (term: number): Entry => ({ term, command: { type: "write", key: 1, value: term } })

const tracked = () => trackConfigurations(makeMemoryLog(emptyMemoryLogStorage()), initial)

describe("the configurations a log holds", () => {
  it.effect("the latest is in force as soon as it is appended, committed or not", () =>
    Effect.gen(function*() {
      const { configurations, log } = tracked()
      expect(configurations.latest()).toMatchObject({ index: 0, config: initial })
      yield* log.append([command(1), { term: 1, config: joint }])
      expect(configurations.latest()).toMatchObject({ index: 2, config: joint })
      expect(configurations.latest().voters.groups).toEqual([["n1", "n2", "n4"], ["n1", "n2", "n3"]])
      expect([...configurations.latest().members]).toEqual(["n1", "n2", "n4", "n3"])
      yield* log.append([{ term: 1, config: final }, command(1)])
      expect(configurations.latest()).toMatchObject({ index: 3, config: final })
      expect(configurations.previous()).toMatchObject({ index: 2, config: joint })
      expect([configurations.at(1), configurations.at(2), configurations.at(9)]).toEqual([initial, joint, final])
    }))

  it.effect("one overwritten by a new leader's entries gives way to the one before it", () =>
    Effect.gen(function*() {
      const { configurations, log } = tracked()
      yield* log.append([command(1), { term: 1, config: joint }, { term: 1, config: final }])
      yield* log.replaceFrom(3, [command(2)])
      expect(configurations.latest()).toMatchObject({ index: 2, config: joint })
      yield* log.replaceFrom(2, [command(3)])
      expect(configurations.latest()).toMatchObject({ index: 0, config: initial })
    }))

  it.effect("a snapshot keeps the one in force at its last index, and the entries after it the rest", () =>
    Effect.gen(function*() {
      const { configurations, log } = tracked()
      yield* log.append([command(1), { term: 1, config: joint }, command(1), { term: 1, config: final }])
      yield* log.saveSnapshot({ lastIndex: 3, lastTerm: 1, config: joint, chunks: Stream.make("[]") })
      expect(configurations.latest()).toMatchObject({ index: 4, config: final })
      expect(configurations.at(3)).toEqual(joint)
      // A leader's snapshot past the end replaces the whole log: its configuration is the latest.
      yield* log.saveSnapshot({ lastIndex: 9, lastTerm: 2, config: initial, chunks: Stream.make("[]") })
      expect(configurations.latest()).toMatchObject({ index: 9, config: initial })
      // Without one (written before configurations were kept): the cluster's first.
      yield* log.saveSnapshot({ lastIndex: 12, lastTerm: 2, chunks: Stream.make("[]") })
      expect(configurations.latest()).toMatchObject({ index: 12, config: initial })
    }))
})

describe("a leader's configuration steps", () => {
  const leader: RaftState = { ...initialRaftState(0, 0), role: "leader", commitIndex: 5 }
  const at = (index: number, config: Configuration) => {
    const { configurations } = trackConfigurations(makeMemoryLog(emptyMemoryLogStorage()), config)
    return { ...configurations.latest(), index }
  }

  it("leaves a joint configuration once it is committed, not before", () => {
    expect(configurationStep(at(5, joint), "n1", leader)).toBe("leave-joint")
    expect(configurationStep(at(6, joint), "n1", leader)).toBeNull()
  })

  it("steps down once a configuration it does not vote in is committed; a follower has no step", () => {
    expect(configurationStep(at(5, final), "n3", leader)).toBe("step-down")
    expect(configurationStep(at(6, final), "n3", leader)).toBeNull()
    expect(configurationStep(at(5, final), "n1", leader)).toBeNull()
    expect(configurationStep(at(5, joint), "n1", { ...leader, role: "follower" })).toBeNull()
  })
})

describe("when a leader may start a change", () => {
  const at = (index: number, config: Configuration) => ({ ...tracked().configurations.latest(), index, config })

  it("only once the latest configuration is committed and final, and an entry of its own term is committed", () => {
    expect(changeBlocked(at(3, final), 5, true)).toBeUndefined()
    expect(changeBlocked(at(6, final), 5, true)).toContain("a configuration change is in progress")
    expect(changeBlocked(at(3, joint), 5, true)).toContain("a configuration change is in progress")
    expect(changeBlocked(at(3, final), 5, false)).toBe("the leader has not yet committed an entry of its term; try again")
  })
})

describe("what a membership request asks for", () => {
  const reason = (result: unknown) => result instanceof MembershipChangeFailed ? `${result.outcome}: ${result.reason}` : result

  it("adds a voter (out of the learners), removes a voter or a learner, or sets both at once", () => {
    const withLearner: Configuration = { voters: ["n1", "n2"], learners: ["n3"] }
    expect(membershipTarget({ _tag: "Add", node: "n3" }, withLearner, nodes)).toEqual({ voters: ["n1", "n2", "n3"], learners: [] })
    expect(membershipTarget({ _tag: "Add", node: "n1" }, withLearner, nodes)).toEqual(withLearner)
    expect(membershipTarget({ _tag: "Remove", node: "n3" }, withLearner, nodes)).toEqual({ voters: ["n1", "n2"], learners: [] })
    expect(membershipTarget({ _tag: "Remove", node: "n1" }, withLearner, nodes)).toEqual({ voters: ["n2"], learners: ["n3"] })
    expect(membershipTarget({ _tag: "Reconfigure", voters: ["n4"], learners: ["n1"] }, withLearner, nodes))
      .toEqual({ voters: ["n4"], learners: ["n1"] })
  })

  it("refuses, as invalid and saying which, an id not of the cluster, an id named twice, no voter at all", () => {
    const current = initial
    expect(reason(membershipTarget({ _tag: "Add", node: "n9" }, current, nodes)))
      .toBe("invalid: n9 is not one of the cluster's nodes (n1, n2, n3, n4)")
    expect(reason(membershipTarget({ _tag: "Remove", node: "n9" }, current, nodes)))
      .toBe("invalid: n9 is not one of the cluster's nodes (n1, n2, n3, n4)")
    expect(reason(membershipTarget({ _tag: "Reconfigure", voters: ["n1", "n2", "n1"], learners: [] }, current, nodes)))
      .toBe("invalid: n1 is named twice")
    expect(reason(membershipTarget({ _tag: "Reconfigure", voters: ["n1"], learners: ["n1"] }, current, nodes)))
      .toBe("invalid: n1 is named both a voter and a learner")
    expect(reason(membershipTarget({ _tag: "Reconfigure", voters: [], learners: ["n1"] }, current, nodes)))
      .toBe("invalid: the voter set is empty: a cluster needs one voter")
    expect(reason(membershipTarget({ _tag: "Remove", node: "n1" }, { voters: ["n1"], learners: [] }, nodes)))
      .toBe("invalid: n1 is the only voter: a cluster needs one")
  })
})
