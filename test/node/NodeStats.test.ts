import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Logger, Metric, TestClock } from "effect"
import { LoggingRaftObserver } from "../../layers/LoggingRaftObserver.js"
import { fsyncs, NodeStatsLog, operationsApplied, statsIntervalMs } from "../../layers/NodeStats.js"
import { RaftObserver } from "../../services/RaftObserver.js"
import { entry, freshDirectory, withLog } from "../support/fileLogs.js"

const countOf = (counter: typeof fsyncs) => Effect.map(Metric.value(counter), (state) => state.count)

describe("the node's stats line", () => {
  it.effect("counts each fsync the node's disk makes: one per batch of changes written together", () =>
    Effect.gen(function*() {
      const directory = freshDirectory()
      // The log's first record also marks the had-log marker (one fsync more, once): it is written before counting.
      yield* withLog(directory, (log) => log.append([entry(1, 0)]))
      const counted = yield* withLog(directory, (log) =>
        Effect.gen(function*() {
          // Counted from here: opening the log made what the file held durable, one fsync more.
          const before = yield* countOf(fsyncs)
          yield* log.append([entry(1, 1)])
          yield* log.durable
          // Made together, written together.
          yield* log.append([entry(1, 2)])
          yield* log.append([entry(1, 3)])
          yield* log.durable
          return (yield* countOf(fsyncs)) - before
        }))
      expect(counted).toBe(2)
    }))

  it.effect("counts the writes and cas applied, not the no-ops", () =>
    Effect.gen(function*() {
      const before = yield* countOf(operationsApplied)
      const observer = yield* Effect.provide(RaftObserver, LoggingRaftObserver)
      yield* observer.applied(1, { term: 1 })
      yield* observer.applied(2, entry(1, 5))
      yield* observer.applied(3, { term: 1, command: { type: "cas", key: 1, from: 5, to: 6 } })
      expect((yield* countOf(operationsApplied)) - before).toBe(2)
    }))

  it.scoped("logs the operations and fsyncs of each interval, every interval", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const capture = Logger.replace(Logger.defaultLogger, Logger.make(({ message }) => void lines.push(String(message))))
      yield* Layer.build(NodeStatsLog.pipe(Layer.provide(capture)))
      yield* Metric.incrementBy(operationsApplied, 8)
      yield* Metric.incrementBy(fsyncs, 2)
      yield* TestClock.adjust(statsIntervalMs - 1)
      expect(lines).toEqual([])
      yield* TestClock.adjust(1)
      yield* Metric.incrementBy(fsyncs, 3)
      yield* TestClock.adjust(statsIntervalMs)
      expect(lines).toEqual([
        "stats: last 10 s: 8 operations applied, 2 fsyncs (0.25 per operation)",
        "stats: last 10 s: 0 operations applied, 3 fsyncs"
      ])
    }))
})
