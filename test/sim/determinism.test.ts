import { describe, expect, it } from "@effect/vitest"
import { faultKinds } from "../../sim/nemesis.js"
import { runSeed } from "../../sim/runSeed.js"
import { defaultScenario } from "../../sim/scenario.js"
import { Trace } from "../../sim/Trace.js"

const scenario = defaultScenario(3, new Set(faultKinds))

const traced = (seed: number) => {
  const trace = new Trace(0)
  const result = runSeed(seed, scenario, trace)
  return { result, events: trace.length, hash: trace.digest() }
}

/** Runs `action` with the host's clocks, timers and Math.random replaced; restores them after. */
const withHostTimeAndChanceReplaced = <A>(action: () => A): { readonly value: A; readonly timerCalls: number } => {
  const saved = {
    dateNow: Date.now,
    performanceNow: performance.now,
    random: Math.random,
    setTimeout: globalThis.setTimeout,
    setInterval: globalThis.setInterval,
    setImmediate: globalThis.setImmediate,
    queueMicrotask: globalThis.queueMicrotask
  }
  let timerCalls = 0
  let fake = 1e12
  const timer = (() => {
    timerCalls++
    throw new Error("a host timer was used")
  }) as never
  Date.now = () => (fake += 7919)
  performance.now = () => (fake += 104729)
  Math.random = () => 0.5
  globalThis.setTimeout = timer
  globalThis.setInterval = timer
  globalThis.setImmediate = timer
  globalThis.queueMicrotask = timer
  try {
    return { value: action(), timerCalls }
  } finally {
    Date.now = saved.dateNow
    performance.now = saved.performanceNow
    Math.random = saved.random
    Object.assign(globalThis, {
      setTimeout: saved.setTimeout,
      setInterval: saved.setInterval,
      setImmediate: saved.setImmediate,
      queueMicrotask: saved.queueMicrotask
    })
  }
}

describe("the simulator is deterministic", () => {
  it("the same seed gives the same trace, event for event", () => {
    const first = traced(7)
    const second = traced(7)
    expect(first.events).toBeGreaterThan(500)
    expect(second.events).toBe(first.events)
    expect(second.hash).toBe(first.hash)
    expect(second.result).toEqual(first.result)
  })

  it("leader churn (each new leader cut off after a short reign) replays event for event", () => {
    const churn = { ...defaultScenario(5, new Set(["crash", "leader-churn"] as const)),
      config: { electionTimeoutMinMs: 100, electionTimeoutMaxMs: 200 } }
    const run = () => {
      const trace = new Trace(Infinity)
      runSeed(3, churn, trace)
      return trace
    }
    const first = run()
    expect(first.lines().filter((line) => line.text.includes("nemesis: leader churn")).length).toBeGreaterThan(3)
    expect(run().digest()).toBe(first.digest())
  })

  it("another seed gives another trace", () => {
    expect(traced(8).hash).not.toBe(traced(7).hash)
  })

  it("nothing depends on the host's clock, timers or Math.random", () => {
    const reference = traced(11)
    const isolated = withHostTimeAndChanceReplaced(() => traced(11))
    expect(isolated.timerCalls).toBe(0)
    expect(isolated.value.hash).toBe(reference.hash)
  })
})
