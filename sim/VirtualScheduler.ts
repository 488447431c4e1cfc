import type { Scheduler } from "effect"
import { type RuntimeFiber } from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"

/**
 * An Effect Scheduler that only queues tasks: nothing runs until the
 * simulation's driver loop takes them, one at a time, in the order they were
 * scheduled. With no microtasks or timers of the host involved, the order of
 * every fiber step is a function of the program alone.
 */
export class VirtualScheduler implements Scheduler.Scheduler {
  private tasks: Array<Scheduler.Task> = []
  private next = 0

  scheduleTask(task: Scheduler.Task): void {
    this.tasks.push(task)
  }

  /** Like Effect's own schedulers: a fiber that ran long enough yields, so no fiber starves the others. */
  shouldYield(fiber: RuntimeFiber<unknown, unknown>): number | false {
    return fiber.currentOpCount > fiber.getFiberRef(FiberRef.currentMaxOpsBeforeYield)
      ? fiber.getFiberRef(FiberRef.currentSchedulingPriority)
      : false
  }

  /** Runs the oldest queued task; false when there was none. */
  runNext(): boolean {
    if (this.next >= this.tasks.length) {
      if (this.tasks.length > 0) {
        this.tasks = []
        this.next = 0
      }
      return false
    }
    const task = this.tasks[this.next]!
    this.tasks[this.next++] = noop
    // Keep the array from growing without bound over a long run.
    if (this.next > 4096 && this.next * 2 > this.tasks.length) {
      this.tasks = this.tasks.slice(this.next)
      this.next = 0
    }
    task()
    return true
  }
}

const noop = () => {}
