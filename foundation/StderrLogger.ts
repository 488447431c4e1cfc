import { Layer, Logger, LogLevel } from "effect"

/**
 * Every log line goes to stderr: on a Maelstrom node stdout is the wire, and
 * Effect's default logger writes to stdout.
 */
const stderrLogger = Logger.make((options) => {
  process.stderr.write(`${Logger.logfmtLogger.log(options)}\n`)
})

const levelFromName = (name: string | undefined): LogLevel.LogLevel => {
  const found = LogLevel.allLevels.find((level) => level.label.toLowerCase() === name?.toLowerCase())
  return found ?? LogLevel.Info
}

/** The logger for a whole program, with a minimum level by name (`debug`, `info`, ...; default info). */
export const StderrLogger = (levelName: string | undefined) =>
  Layer.merge(
    Logger.replace(Logger.defaultLogger, stderrLogger),
    Logger.minimumLogLevel(levelFromName(levelName))
  )
