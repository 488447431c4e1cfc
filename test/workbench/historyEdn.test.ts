import { describe, expect, it } from "vitest"
import type { HistoryOp } from "../../checker/history.js"
import { parseHistoryText } from "../../checker/formats/load.js"
import { ednOperation } from "../../workbench/historyEdn.js"
import { linePieces } from "../../workbench/linePieces.js"

const history: ReadonlyArray<HistoryOp> = [
  { index: 0, time: 0, process: 0, type: "invoke", f: "read", key: 0, value: null, node: "n0" },
  { index: 1, time: 1_500, process: 1, type: "invoke", f: "write", key: 0, value: 3, node: "n1" },
  { index: 2, time: 2_000_000, process: 0, type: "ok", f: "read", key: 0, value: null, node: "n0" },
  { index: 3, time: 2_100_000, process: 1, type: "ok", f: "write", key: 0, value: 3, node: "n1" },
  { index: 4, time: 3_000_000, process: 2, type: "invoke", f: "cas", key: "k \"1\"", value: [1, 2], node: "n2" },
  { index: 5, time: 3_500_000, process: 2, type: "fail", f: "cas", key: "k \"1\"", value: [1, 2], error: { code: 22, text: "no" } },
  { index: 6, time: 4_000_000, process: 3, type: "invoke", f: "read", key: 7, value: null },
  { index: 7, time: 9_000_000, process: 3, type: "ok", f: "read", key: 7, value: { "a é\n": [1.5, null, true] } },
  { index: 8, time: 9_100_000, process: 4, type: "invoke", f: "write", key: 7, value: 4 },
  { index: 9, time: 10_000_000, process: 4, type: "info", f: "write", key: 7, value: 4 }
]

/** The whole history.edn, as the workbench writes it piece by piece. */
const historyEdn = (ops: ReadonlyArray<HistoryOp>) => [...linePieces(ops, ednOperation)].join("")

describe("history.edn", () => {
  it("writes Jepsen's op maps, one a line, with [key value] tuples", () => {
    const lines = historyEdn(history).split("\n")
    expect(lines[0]).toBe("{:type :invoke, :f :read, :value [0 nil], :process 0, :time 0, :index 0}")
    expect(lines[4]).toBe("{:type :invoke, :f :cas, :value [\"k \\\"1\\\"\" [1 2]], :process 2, :time 3000000, :index 4}")
    expect(lines.length).toBe(history.length + 1)
  })

  it("reads back, through the checker's EDN reader, as the history it was written from", () => {
    const loaded = parseHistoryText("history.edn", historyEdn(history))
    expect(loaded.format).toBe("edn")
    expect(loaded.layout).toBe("independent-keys")
    expect(loaded.ops).toEqual(history.map(({ error: _error, node: _node, ...op }) => op))
  })
})

describe("the pieces a history file is written in", () => {
  it("hold every line once, in order, each piece at least the size asked but for the last", () => {
    const pieces = [...linePieces(history, ednOperation, 200)]
    expect(pieces.join("")).toBe(history.map((op) => `${ednOperation(op)}\n`).join(""))
    expect(pieces.length).toBeGreaterThan(2)
    for (const piece of pieces.slice(0, -1)) expect(piece.length).toBeGreaterThanOrEqual(200)
    for (const piece of pieces) expect(piece.endsWith("\n")).toBe(true)
  })

  it("are none for no lines", () => {
    expect([...linePieces([], ednOperation)]).toEqual([])
  })
})
