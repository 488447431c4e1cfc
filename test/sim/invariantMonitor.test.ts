import { describe, expect, it } from "@effect/vitest"
import type { Entry } from "../../src/protocol/raftMessages.js"
import { InvariantMonitor } from "../../sim/InvariantMonitor.js"
import { linKvSimApplication } from "../../sim/linKvApplication.js"
import type { Violation } from "../../sim/Violation.js"

const noop = (term: number): Entry => ({ term })
const write = (term: number, value: number): Entry => ({ term, command: { type: "write", key: 1, value } })

/** A monitor over in-memory logs that the test edits directly. */
const setUp = (nodes: ReadonlyArray<string>) => {
  const logs = new Map(nodes.map((n) => [n, [] as Array<Entry>]))
  const monitor = new InvariantMonitor(linKvSimApplication.initialState, () => 0, () => {})
  for (const node of nodes) {
    const log = logs.get(node)!
    monitor.registerLog(node, { firstIndex: () => 1, lastIndex: () => log.length, entryAt: (i) => log[i - 1] })
    monitor.started(node)
  }
  const append = (node: string, ...entries: Array<Entry>) => {
    logs.get(node)!.push(...entries)
    monitor.logAppended(node)
  }
  const truncate = (node: string, from: number) => {
    logs.get(node)!.splice(from - 1)
    monitor.logTruncated(node, from - 1)
  }
  const invariants = () => monitor.violations.map((v: Violation) => v.invariant)
  return { monitor, append, truncate, invariants }
}

describe("the invariant monitor", () => {
  it("accepts a history that keeps every rule", () => {
    const { append, invariants, monitor, truncate } = setUp(["n1", "n2"])
    append("n1", noop(1), write(1, 3))
    monitor.roleChanged("n1", 1, "leader")
    append("n2", noop(1), write(1, 3))
    monitor.committed("n1", 2)
    monitor.applied("n1", 1, noop(1))
    monitor.applied("n2", 1, noop(1))
    append("n2", write(1, 4))
    truncate("n2", 3) // an uncommitted entry may go
    monitor.roleChanged("n2", 2, "leader")
    expect(invariants()).toEqual([])
  })

  it("two leaders in one term", () => {
    const { invariants, monitor } = setUp(["n1", "n2"])
    monitor.roleChanged("n1", 3, "leader")
    monitor.roleChanged("n2", 3, "leader")
    expect(invariants()).toEqual(["one leader per term"])
  })

  it("two logs with the same entry term at an index but different prefixes", () => {
    const { append, invariants } = setUp(["n1", "n2"])
    append("n1", noop(1), write(2, 1))
    append("n2", noop(0), write(2, 1))
    expect(invariants()).toEqual(["log matching"])
  })

  it("a committed entry deleted", () => {
    const { append, invariants, monitor, truncate } = setUp(["n1"])
    append("n1", noop(1), write(1, 2))
    monitor.committed("n1", 2)
    truncate("n1", 2)
    expect(invariants()).toEqual(["committed entries stay"])
  })

  it("a committed entry deleted by a node after its restart", () => {
    const { append, invariants, monitor, truncate } = setUp(["n1"])
    append("n1", noop(1))
    monitor.committed("n1", 1)
    monitor.started("n1")
    truncate("n1", 1)
    expect(invariants()).toEqual(["committed entries stay"])
  })

  it("a node that comes back from a crash must still have every entry it knew committed", () => {
    /** n1 had two entries, knew `committed` of them committed, and its disk kept only the first. */
    const restartKeepingOne = (committed: number) => {
      const { append, invariants, monitor } = setUp(["n1"])
      append("n1", noop(1), write(1, 2))
      monitor.committed("n1", committed)
      const recovered = [noop(1)]
      monitor.started("n1")
      monitor.registerLog("n1", { firstIndex: () => 1, lastIndex: () => recovered.length, entryAt: (i) => recovered[i - 1] })
      return invariants()
    }
    expect(restartKeepingOne(1)).toEqual([])
    expect(restartKeepingOne(2)).toEqual(["committed entries stay"])
  })

  it("what a crashed node's process still reports before it is gone is not a fact; after its restart it is again", () => {
    /** n1's fsync "returned" after its machine lost power: it commits entry 2, which its disk never kept. */
    const { append, invariants, monitor } = setUp(["n1", "n2"])
    append("n1", noop(1))
    monitor.committed("n1", 1)
    monitor.crashed("n1")
    append("n1", write(1, 2))
    monitor.committed("n1", 2)
    monitor.roleChanged("n1", 1, "leader")
    const recovered = [noop(1)]
    monitor.started("n1")
    monitor.registerLog("n1", { firstIndex: () => 1, lastIndex: () => recovered.length, entryAt: (i) => recovered[i - 1] })
    expect(invariants()).toEqual([])
    // Entry 1 was known committed before the crash: after the restart it must stay.
    monitor.logTruncated("n1", 0)
    expect(invariants()).toEqual(["committed entries stay"])
  })

  it("a new leader without a committed entry", () => {
    const { append, invariants, monitor } = setUp(["n1", "n2"])
    append("n1", noop(1), write(1, 5))
    monitor.committed("n1", 2)
    append("n2", noop(1))
    monitor.roleChanged("n2", 2, "leader")
    expect(invariants()).toEqual(["leader completeness"])
  })

  it("a commit index that goes back within one incarnation", () => {
    const { append, invariants, monitor } = setUp(["n1"])
    append("n1", noop(1), write(1, 5))
    monitor.committed("n1", 2)
    monitor.committed("n1", 1)
    expect(invariants()).toEqual(["commit index never goes back"])
  })

  it("entries applied out of order", () => {
    const { invariants, monitor } = setUp(["n1"])
    monitor.applied("n1", 1, noop(1))
    monitor.applied("n1", 3, noop(1))
    expect(invariants()).toEqual(["applied in order"])
  })

  it("two nodes applying different entries at one index", () => {
    const { invariants, monitor } = setUp(["n1", "n2"])
    monitor.applied("n1", 1, noop(1))
    monitor.applied("n2", 1, write(1, 1))
    expect(invariants()).toEqual(["applied sequences agree"])
  })
})
