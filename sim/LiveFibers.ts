import { Effect, type Exit, type Fiber, Supervisor } from "effect"

/**
 * The fibers started under it that have not ended yet, readable at once (a
 * simulation's driver reads it outside any fiber, once the run is over).
 */
export class LiveFibers extends Supervisor.AbstractSupervisor<ReadonlySet<Fiber.RuntimeFiber<unknown, unknown>>> {
  readonly fibers = new Set<Fiber.RuntimeFiber<unknown, unknown>>()

  readonly value = Effect.sync(() => this.fibers)

  override onStart<A, E>(
    _context: unknown,
    _effect: unknown,
    _parent: unknown,
    fiber: Fiber.RuntimeFiber<A, E>
  ): void {
    this.fibers.add(fiber)
  }

  override onEnd<A, E>(_exit: Exit.Exit<A, E>, fiber: Fiber.RuntimeFiber<A, E>): void {
    this.fibers.delete(fiber)
  }
}
