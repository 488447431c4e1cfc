import type { Json } from "../foundation/json.js"

/** What the checker decides for one key, or for a whole history. */
export type Verdict = "valid" | "invalid" | "unknown"

/** One client operation, invoke and completion joined, as shown in explanations. */
export interface OperationSummary {
  readonly process: number
  readonly f: "read" | "write" | "cas"
  /** As in the history: the value read (ok reads), written, or `[from, to]`. */
  readonly value: Json
  /** `ok`, `fail`, or `info` (a missing completion counts as `info`). */
  readonly outcome: "ok" | "fail" | "info"
  /** Nanoseconds since the start of the run; completion is null for an operation that never completed. */
  readonly invokeTime: number
  readonly completeTime: number | null
  /** Index of the invoke line in the history. */
  readonly index: number
}

/**
 * Why a key is not linearizable: the longest prefix of operations that could
 * be linearized, the operation that could then not be placed, and the
 * operations concurrent with it (the ones a person must look at).
 */
export interface InvalidExplanation {
  readonly linearizedPrefix: ReadonlyArray<OperationSummary>
  readonly failedOperation: OperationSummary
  readonly concurrentOperations: ReadonlyArray<OperationSummary>
  /** The register states that were possible just before the failed operation. */
  readonly possibleStates: ReadonlyArray<Json | null>
  /** One or two sentences a person can read. */
  readonly summary: string
}

export interface KeyResult {
  readonly key: Json
  readonly verdict: Verdict
  readonly operationCount: number
  /** For `unknown`: which budget ran out. */
  readonly reason?: string
  /** For `invalid`. */
  readonly explanation?: InvalidExplanation
  /** Search configurations remembered for this key: the effort its verdict took. */
  readonly configurations?: number
}

export interface CheckResult {
  /** invalid if any key is invalid; else unknown if any key is unknown; else valid. */
  readonly verdict: Verdict
  readonly keys: ReadonlyArray<KeyResult>
}

export interface CheckOptions {
  /** Budget per key in milliseconds; past it the key is `unknown`. */
  readonly timeLimitMs?: number
  /** Budget per key in remembered search configurations; past it the key is `unknown`. */
  readonly maxConfigurations?: number
  /** Stop checking further keys after the first invalid one. */
  readonly stopAtFirstInvalid?: boolean
  /**
   * Budget per key in bytes held by the search's memo of configurations
   * (an estimate of its typed arrays); past it the key is `unknown`.
   */
  readonly maxMemoryBytes?: number
  /**
   * An ok read of null matches any register state. Knossos' register model
   * reads nil this way, so the EDN loaders set it; in the project's own
   * history.jsonl a null read means "the key did not exist".
   */
  readonly nilReadMatchesAnything?: boolean
  /** Milliseconds from some fixed origin; injectable so the search stays pure. Default `performance.now`. */
  readonly clock?: () => number
}
