/**
 * Maelstrom's error codes. A definite error promises the operation did not and
 * never will happen; an indefinite one promises nothing.
 */
export const ErrorCode = {
  timeout: 0,
  nodeNotFound: 1,
  notSupported: 10,
  temporarilyUnavailable: 11,
  malformedRequest: 12,
  crash: 13,
  abort: 14,
  keyDoesNotExist: 20,
  keyAlreadyExists: 21,
  preconditionFailed: 22,
  txnConflict: 30,
  /** Not one of Maelstrom's own: the code its proposed membership workloads use for "this node is not a member". */
  notAMember: 40
} as const
/** One of Maelstrom's error codes (a node may receive others, >= 1000, from peers; it sends only these). */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]

const definiteCodes: ReadonlySet<number> = new Set([1, 10, 11, 12, 14, 20, 21, 22, 30, 40])

/** True when an error with this code promises the operation never happened. */
export const isDefinite = (code: number): boolean => definiteCodes.has(code)
