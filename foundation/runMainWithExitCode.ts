import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { type Effect, Exit } from "effect"

/** The shell's exit code for a program stopped by Ctrl-C (128 + SIGINT). */
export const exitCodeOnInterrupt = 130

/**
 * Runs a command-line program whose result is its exit code (the workbench,
 * the simulator, the history checker). runMain's own error report and pretty
 * logger are off: each program reports its errors itself, on stderr. A
 * program stopped by Ctrl-C or SIGTERM exits with 130; one that dies anyway
 * with `onDefect`.
 */
export const runMainWithExitCode = (program: Effect.Effect<number>, onDefect: number): void =>
  NodeRuntime.runMain(program, {
    disableErrorReporting: true,
    disablePrettyLogger: true,
    teardown: (exit, onExit) =>
      onExit(Exit.isSuccess(exit) ? (exit.value as number) : Exit.isInterrupted(exit) ? exitCodeOnInterrupt : onDefect)
  })
