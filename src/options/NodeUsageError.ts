import { Data } from "effect"

/**
 * The node's command line or environment cannot be used: the node does not
 * start. Each problem names the flag or variable, the value given and what
 * was expected (or the flag an unknown one probably meant).
 */
export class NodeUsageError extends Data.TaggedError("NodeUsageError")<{ readonly problems: ReadonlyArray<string> }> {
  override get message(): string {
    return this.problems.join("; ")
  }
}
