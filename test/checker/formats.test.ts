import { describe, expect, it } from "@effect/vitest"
import { checkHistory } from "../../checker/check.js"
import { parseEdnHistory } from "../../checker/formats/edn.js"
import { parseHistoryJsonl } from "../../checker/formats/jsonl.js"
import { detectFormat, parseHistoryText } from "../../checker/formats/load.js"
import { MalformedHistory } from "../../checker/operations.js"
import { history } from "./historyBuilder.js"

describe("history.jsonl", () => {
  it("reads back what the workbench writes, blank lines ignored", () => {
    const ops = history().write(1, 3, 7).read(2, 3, 7).ops
    const text = ops.map((op) => JSON.stringify(op)).join("\n") + "\n\n"
    expect(parseHistoryJsonl(text)).toEqual(ops)
    expect(detectFormat("store/x/history.jsonl", text)).toBe("jsonl")
    expect(detectFormat("history", text)).toBe("jsonl")
  })

  it("names the line of a bad op", () => {
    const good = JSON.stringify(history().write(1, 3).ops[0])
    expect(() => parseHistoryJsonl(`${good}\n{"index": 1}`)).toThrow(/line 2/)
    expect(() => parseHistoryJsonl("garbage")).toThrow(MalformedHistory)
  })
})

describe("EDN histories", () => {
  // As Maelstrom writes history.edn: one op per line, [key value] tuples, nemesis ops among them.
  const linKv = `{:type :invoke, :f :write, :value [1 3], :time 1000, :process 0, :index 0}
{:type :invoke, :f :read, :value [2 nil], :time 2000, :process 1, :index 1}
{:type :info, :f :start-partition, :value nil, :time 2500, :process :nemesis, :index 2}
{:type :ok, :f :write, :value [1 3], :time 3000, :process 0, :index 3}
{:type :ok, :f :read, :value [2 nil], :time 4000, :process 1, :index 4}
{:type :invoke, :f :cas, :value [1 [3 4]], :time 5000, :process 0, :index 5}
{:type :fail, :f :cas, :value [1 [3 4]], :time 6000, :process 0, :index 6, :error [:precondition-failed "no"]}
{:type :invoke, :f :read, :value [1 nil], :time 7000, :process 1, :index 7}
{:type :ok, :f :read, :value [1 3], :time 8000, :process 1, :index 8}
`

  it("reads Maelstrom's one-op-per-line layout with [key value] tuples", () => {
    const parsed = parseEdnHistory(linKv)
    expect(parsed.layout).toBe("independent-keys")
    expect(parsed.ops).toHaveLength(8)
    expect(parsed.ops[0]).toEqual({ index: 0, time: 1000, process: 0, type: "invoke", f: "write", key: 1, value: 3 })
    expect(parsed.ops[5]).toMatchObject({ type: "fail", f: "cas", key: 1, value: [3, 4] })
    const result = checkHistory(parsed.ops, parseHistoryText("history.edn", linKv).options)
    expect(result.keys.map((k) => [k.key, k.verdict])).toEqual([[1, "valid"], [2, "valid"]])
  })

  it("finds a stale read in that layout", () => {
    const stale = linKv.replace(":value [1 3], :time 8000", ":value [1 4], :time 8000")
    const loaded = parseHistoryText("history.edn", stale)
    expect(checkHistory(loaded.ops, loaded.options).keys[0]!.verdict).toBe("invalid")
  })

  it("reads a whole-file list with comments as one register", () => {
    const text = `; a comment
({:type :invoke, :f :write, :value 1, :process 0}
 {:type :ok, :f :write, :value 1, :process 0} ; trailing comment
 {:type :invoke :f :read :value nil :process 1}
 {:type :ok :f :read :value 1 :process 1})`
    const parsed = parseEdnHistory(text)
    expect(parsed.layout).toBe("single-register")
    expect(parsed.ops.map((op) => [op.key, op.index, op.value])).toEqual([[null, 0, 1], [null, 1, 1], [null, 2, null], [null, 3, 1]])
  })

  it("treats an ok read of nil as matching anything, as Knossos does", () => {
    const loaded = parseHistoryText(
      "h.edn",
      "[{:type :invoke :f :write :value 1 :process 0} {:type :ok :f :write :value 1 :process 0} " +
        "{:type :invoke :f :read :value nil :process 1} {:type :ok :f :read :value nil :process 1}]"
    )
    expect(loaded.options.nilReadMatchesAnything).toBe(true)
    expect(checkHistory(loaded.ops, loaded.options).verdict).toBe("valid")
  })

  it("reads Jepsen 0.3's tagged op records like plain maps", () => {
    const tagged = linKv.split("\n").map((line) => (line === "" ? line : `#jepsen.history.Op${line}`)).join("\n")
    expect(parseEdnHistory(tagged)).toEqual(parseEdnHistory(linKv))
    const stale = tagged.replace(":value [1 3], :time 8000", ":value [1 4], :time 8000")
    const loaded = parseHistoryText("history.edn", stale)
    expect(checkHistory(loaded.ops, loaded.options).keys[0]!.verdict).toBe("invalid")
  })

  it("never takes a file without client operations for a history", () => {
    for (const [path, text] of [["history.edn", ""], ["history.jsonl", "\n"], ["h.edn", "{:type :info, :f :start, :process :nemesis}"]]) {
      expect(() => parseHistoryText(path!, text!)).toThrow(/no client operations/)
    }
    // Maelstrom's history.txt is a table for people: the error says where the data is.
    expect(() => parseHistoryText("store/latest/history.txt", "0 :invoke :read [0 nil]\n")).toThrow(/history\.edn/)
  })

  it("rejects what it cannot read rather than guessing", () => {
    expect(() => parseEdnHistory("[{:type :invoke :f :read")).toThrow(MalformedHistory)
    expect(() => parseEdnHistory("{:type :invoke, :f :write, :value 3, :process 0}")).toThrow(/tuple/)
    expect(() => parseEdnHistory("[{:type :started :f :read :value nil :process 0}]")).toThrow(/:type/)
  })
})
