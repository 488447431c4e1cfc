import { Clock, Duration, Effect } from "effect"

interface Timer {
  readonly atMs: number
  /** Ties at the same time fire in the order the timers were set. */
  readonly order: number
  readonly fire: () => void
  cancelled: boolean
}

/**
 * Effect's Clock on simulated time. Time stands still until the driver moves
 * it to the next timer; `sleep` only registers a timer. Whole milliseconds,
 * as Maelstrom's latencies are.
 */
export class VirtualClock implements Clock.Clock {
  readonly [Clock.ClockTypeId]: Clock.ClockTypeId = Clock.ClockTypeId
  private nowMs = 0
  private setCount = 0
  /** A binary min-heap on (atMs, order). */
  private readonly heap: Array<Timer> = []

  unsafeCurrentTimeMillis(): number {
    return this.nowMs
  }

  unsafeCurrentTimeNanos(): bigint {
    return BigInt(this.nowMs) * 1_000_000n
  }

  readonly currentTimeMillis = Effect.sync(() => this.unsafeCurrentTimeMillis())
  readonly currentTimeNanos = Effect.sync(() => this.unsafeCurrentTimeNanos())

  sleep(duration: Duration.Duration): Effect.Effect<void> {
    const ms = Math.max(0, Math.ceil(Duration.toMillis(duration)))
    return Effect.async<void>((resume) => {
      const timer = this.setTimer(this.nowMs + ms, () => resume(Effect.void))
      return Effect.sync(() => void (timer.cancelled = true))
    })
  }

  /** When the earliest live timer fires, or undefined when none is set. */
  nextTimerAt(): number | undefined {
    this.dropCancelledTop()
    return this.heap[0]?.atMs
  }

  /** Moves time to the earliest timer and fires it. */
  fireNext(): void {
    this.dropCancelledTop()
    const timer = this.pop()
    if (timer === undefined) return
    this.nowMs = Math.max(this.nowMs, timer.atMs)
    timer.fire()
  }

  private setTimer(atMs: number, fire: () => void): Timer {
    const timer: Timer = { atMs, order: this.setCount++, fire, cancelled: false }
    const heap = this.heap
    heap.push(timer)
    let i = heap.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!earlier(heap[i]!, heap[parent]!)) break
      ;[heap[i], heap[parent]] = [heap[parent]!, heap[i]!]
      i = parent
    }
    return timer
  }

  private dropCancelledTop(): void {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop()
  }

  private pop(): Timer | undefined {
    const heap = this.heap
    const top = heap[0]
    const last = heap.pop()
    if (top === undefined || last === undefined || heap.length === 0) return top
    heap[0] = last
    let i = 0
    while (true) {
      const left = 2 * i + 1
      const right = left + 1
      let smallest = i
      if (left < heap.length && earlier(heap[left]!, heap[smallest]!)) smallest = left
      if (right < heap.length && earlier(heap[right]!, heap[smallest]!)) smallest = right
      if (smallest === i) break
      ;[heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!]
      i = smallest
    }
    return top
  }
}

const earlier = (a: Timer, b: Timer) => a.atMs < b.atMs || (a.atMs === b.atMs && a.order < b.order)
