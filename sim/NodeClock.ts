import { Clock, Duration, Effect } from "effect"

/**
 * Faults of a node's sense of time, opt-in: "pause" freezes a node for a
 * while, as SIGSTOP and SIGCONT do (pauseFaults.ts); "drift" runs each
 * node's clock at its own rate, drawn per seed within the bound the lease
 * assumes (src/raft/leaseRules.ts, clockDriftBound).
 */
export const clockFaultKinds = ["pause", "drift"] as const

/**
 * One node's Clock over the simulation's shared clock, as a machine's clock
 * over real time: it counts `rate` of its milliseconds per simulated one (in
 * whole milliseconds, as Date.now does), and its timers wait accordingly.
 * While the node is paused its timers that come due are held, and fire when
 * it resumes, in the order they came due: a stopped process runs nothing,
 * and on SIGCONT finds every timer that passed meanwhile due at once. Its
 * clock goes on counting through a pause, as a machine's does.
 */
export class NodeClock implements Clock.Clock {
  readonly [Clock.ClockTypeId]: Clock.ClockTypeId = Clock.ClockTypeId
  private paused = false
  private held: Array<() => void> = []

  constructor(private readonly shared: Clock.Clock, readonly rate: number) {}

  unsafeCurrentTimeMillis(): number {
    return this.rate === 1
      ? this.shared.unsafeCurrentTimeMillis()
      : Math.floor(this.shared.unsafeCurrentTimeMillis() * this.rate)
  }

  unsafeCurrentTimeNanos(): bigint {
    return BigInt(this.unsafeCurrentTimeMillis()) * 1_000_000n
  }

  readonly currentTimeMillis = Effect.sync(() => this.unsafeCurrentTimeMillis())
  readonly currentTimeNanos = Effect.sync(() => this.unsafeCurrentTimeNanos())

  sleep(duration: Duration.Duration): Effect.Effect<void> {
    return Effect.suspend(() => {
      const ms = Math.max(0, Math.ceil(Duration.toMillis(duration)))
      return Effect.zipRight(this.shared.sleep(Duration.millis(this.sharedMsFor(ms))), this.running)
    })
  }

  /** The shared clock's milliseconds from now until this clock has counted `ms` more. */
  private sharedMsFor(ms: number): number {
    if (this.rate === 1) return ms
    const sharedNow = this.shared.unsafeCurrentTimeMillis()
    const target = this.unsafeCurrentTimeMillis() + ms
    let at = Math.ceil(target / this.rate)
    // Floating point may land a millisecond short of the target.
    while (Math.floor(at * this.rate) < target) at++
    return Math.max(0, at - sharedNow)
  }

  /** Passes at once while the node runs; while it is paused, once it resumes. */
  private readonly running: Effect.Effect<void> = Effect.async<void>((resume) => {
    if (!this.paused) return resume(Effect.void)
    const wake = () => resume(Effect.void)
    this.held.push(wake)
    return Effect.sync(() => void (this.held = this.held.filter((held) => held !== wake)))
  })

  get isPaused(): boolean {
    return this.paused
  }

  pause(): void {
    this.paused = true
  }

  /** Fires every timer held during the pause, in the order they came due. */
  resume(): void {
    this.paused = false
    const held = this.held
    this.held = []
    for (const wake of held) wake()
  }

  /** The process was killed: the timers it held die with it. */
  reset(): void {
    this.paused = false
    this.held = []
  }
}
