/**
 * How long a node with a long history takes to come back: a data directory is
 * filled through the product's own FileLog with N write entries (compacted
 * every `snapshotEvery` entries, as the applier does, or never), then
 * `bin/raft --data-dir` is started on it and timed to its init_ok and to its
 * first read_ok (a single-node cluster: the read waits for its election).
 *
 * Usage: npm run build && node dist/bench/snapshots/restartTime.js [N...]
 */
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { createInterface } from "node:readline"
import { Effect, Layer, Logger, LogLevel, Stream } from "effect"
import { FileLog } from "../../layers/FileLog.js"
import { NodeDisk } from "../../layers/NodeDisk.js"
import { Log } from "../../services/Log.js"
import { Network, type NetworkShape } from "../../services/Network.js"
import { defaultRaftConfig } from "../../services/RaftConfig.js"
import { applyToKvStore, emptyKvStore, kvStorePairs } from "../../src/kv/KvStore.js"
import { cutIntoChunks } from "../../src/raft/snapshotChunks.js"
import type { Entry } from "../../src/protocol/raftMessages.js"

const keys = 1000
const batch = 64

/** A data directory holding `history` writes, as node n1 would have left it. */
const fillDirectory = (history: number, snapshotEvery: number) =>
  Effect.gen(function*() {
    const log = yield* Log
    yield* log.saveHardState({ term: 1, votedFor: "n1", caughtUp: true })
    let store = emptyKvStore
    for (let first = 1; first <= history; first += batch) {
      const entries: Array<Entry> = []
      for (let index = first; index < Math.min(first + batch, history + 1); index++) {
        const command = { type: "write", key: index % keys, value: index } as const
        entries.push({ term: 1, command })
        store = applyToKvStore(store, command)[1]
        if (index % snapshotEvery === 0) {
          yield* log.append(entries.splice(0))
          const chunks = cutIntoChunks(Stream.fromIterable(kvStorePairs(store)), defaultRaftConfig.snapshotChunkChars)
          yield* log.saveSnapshot({ lastIndex: index, lastTerm: 1, chunks })
        }
      }
      yield* log.append(entries)
    }
  })

const build = (directory: string, history: number, snapshotEvery: number) =>
  Effect.runPromise(
    Effect.scoped(fillDirectory(history, snapshotEvery)).pipe(
      Effect.provide(
        FileLog(directory).pipe(
          Layer.provide([Layer.succeed(Network, { self: "n1", nodeIds: ["n1"] } as Partial<NetworkShape> as NetworkShape), NodeDisk])
        )
      ),
      Logger.withMinimumLogLevel(LogLevel.None)
    )
  )

/** Milliseconds from starting bin/raft to its init_ok and to its first read_ok. */
const timeRestart = (directory: string): Promise<{ initOk: number; readOk: number }> =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    const node = spawn("bin/raft", ["--data-dir", directory], { stdio: ["pipe", "pipe", "ignore"] })
    const send = (body: object) => node.stdin.write(`${JSON.stringify({ src: "c1", dest: "n1", body })}\n`)
    let initOk = 0
    createInterface({ input: node.stdout }).on("line", (line) => {
      const { body } = JSON.parse(line)
      if (body.type === "init_ok") {
        initOk = performance.now() - started
        send({ type: "read", msg_id: 2, key: 1 })
      } else if (body.type === "read_ok") {
        node.stdin.end()
        resolve({ initOk, readOk: performance.now() - started })
      } else if (body.in_reply_to === 2) {
        setTimeout(() => send({ type: "read", msg_id: 2, key: 1 }), 10)
      }
    })
    node.on("error", reject)
    send({ type: "init", msg_id: 1, node_id: "n1", node_ids: ["n1"] })
  })

const histories = process.argv.slice(2).map(Number)
console.log(`cores: ${os.availableParallelism()}; ${keys} keys; entries written ${batch} per record`)
console.log("history   compaction           log file MB   init_ok ms   first read_ok ms")
for (const history of histories.length > 0 ? histories : [10_000, 100_000, 1_000_000]) {
  for (const [label, snapshotEvery] of [["every 10000 entries", 10_000], ["never", Number.POSITIVE_INFINITY]] as const) {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "restart-"))
    await build(directory, history, snapshotEvery)
    const megabytes = fs.statSync(path.join(directory, "n1.log")).size / 1024 / 1024
    const { initOk, readOk } = await timeRestart(directory)
    console.log(
      `${String(history).padStart(7)}   ${label.padEnd(19)}  ${megabytes.toFixed(1).padStart(11)}   ${initOk.toFixed(0).padStart(10)}   ${
        readOk.toFixed(0).padStart(16)
      }`
    )
    fs.rmSync(directory, { recursive: true })
  }
}
