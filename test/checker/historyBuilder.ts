import type { HistoryOp } from "../../checker/history.js"
import type { Json } from "../../foundation/json.js"

/** Writes small histories by hand: `b.invoke(1, "write", 3).ok(1)`. */
export class HistoryBuilder {
  readonly ops: Array<HistoryOp> = []
  private readonly open = new Map<number, { f: HistoryOp["f"]; key: Json; value: Json }>()

  invoke(process: number, f: HistoryOp["f"], value: Json = null, key: Json = "k"): this {
    this.open.set(process, { f, key, value: f === "read" ? null : value })
    return this.push(process, "invoke", f, key, f === "read" ? null : value)
  }

  /** Completes `process`'s open op; a read's value is the value it read. */
  ok(process: number, readValue: Json = null): this {
    return this.complete(process, "ok", readValue)
  }
  fail(process: number): this {
    return this.complete(process, "fail", null)
  }
  info(process: number): this {
    return this.complete(process, "info", null)
  }

  /** A whole op at once, nothing else in flight. */
  write(process: number, value: Json, key: Json = "k"): this {
    return this.invoke(process, "write", value, key).ok(process)
  }
  read(process: number, value: Json, key: Json = "k"): this {
    return this.invoke(process, "read", null, key).ok(process, value)
  }
  cas(process: number, from: Json, to: Json, key: Json = "k"): this {
    return this.invoke(process, "cas", [from, to], key).ok(process)
  }

  private complete(process: number, type: HistoryOp["type"], readValue: Json): this {
    const open = this.open.get(process)
    if (open === undefined) throw new Error(`process ${process} has nothing open`)
    this.open.delete(process)
    return this.push(process, type, open.f, open.key, open.f === "read" ? readValue : open.value)
  }

  private push(process: number, type: HistoryOp["type"], f: HistoryOp["f"], key: Json, value: Json): this {
    const index = this.ops.length
    this.ops.push({ index, time: index * 1000, process, type, f, key, value })
    return this
  }
}

export const history = () => new HistoryBuilder()
