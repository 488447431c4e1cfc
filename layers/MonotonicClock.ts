import { Clock, Effect } from "effect"

/**
 * Effect's Clock with its milliseconds taken from the monotonic clock
 * (Effect's nanoseconds, process.hrtime from a wall-clock origin at start)
 * rather than from Date.now, which jumps when the system's time is set or
 * stepped. Every span the node measures (election timeouts, CheckQuorum,
 * the vote lease and the leader's lease in `--read-mode lease`) is then a
 * difference of two monotonic readings, whose only error is the clock's
 * rate (src/raft/leaseRules.ts). Sleeps are the system clock's own timers.
 */
export const monotonicClock = (system: Clock.Clock = Clock.make()): Clock.Clock => {
  const millis = () => Number(system.unsafeCurrentTimeNanos() / 1_000_000n)
  return {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: millis,
    currentTimeMillis: Effect.sync(millis),
    unsafeCurrentTimeNanos: () => system.unsafeCurrentTimeNanos(),
    currentTimeNanos: system.currentTimeNanos,
    sleep: (duration) => system.sleep(duration)
  }
}
