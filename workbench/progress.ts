import { Clock, Effect, Schedule } from "effect"
import type { OutcomeCounts } from "../linkv/historyRecorder.js"

export interface ProgressSource {
  readonly startMillis: number
  readonly timeLimitSeconds: number
  readonly counts: Effect.Effect<OutcomeCounts>
  readonly nemesisState: Effect.Effect<string>
}

export const progressLine = (elapsedSeconds: number, source: ProgressSource, counts: OutcomeCounts, nemesis: string) =>
  `[${elapsedSeconds.toFixed(1).padStart(5)}/${source.timeLimitSeconds} s] ops ${counts.invoked}` +
  ` ok ${counts.ok} fail ${counts.fail} info ${counts.info} | nemesis: ${nemesis}`

/**
 * A live status on stderr: rewritten in place every second on a terminal,
 * a plain line every 5 seconds otherwise (CI logs).
 */
export const reportProgress = (source: ProgressSource): Effect.Effect<never> => {
  const interactive = process.stderr.isTTY === true
  const tick = Effect.gen(function*() {
    const elapsed = ((yield* Clock.currentTimeMillis) - source.startMillis) / 1000
    const line = progressLine(elapsed, source, yield* source.counts, yield* source.nemesisState)
    process.stderr.write(interactive ? `\r\x1b[2K${line}` : `${line}\n`)
  })
  return Effect.repeat(tick, Schedule.spaced(interactive ? 1000 : 5000)).pipe(
    Effect.zipRight(Effect.never),
    Effect.ensuring(Effect.sync(() => interactive && process.stderr.write("\r\x1b[2K")))
  )
}
