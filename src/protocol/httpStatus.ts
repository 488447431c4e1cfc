import { ErrorCode, isDefinite } from "./errorCodes.js"

/**
 * The HTTP status of each error a node answers, the one table the HTTP API
 * reads. Definite errors (the operation never happened) are 4xx, or 503 when
 * asking again, perhaps elsewhere, may succeed; indefinite ones (it may or
 * may not have happened) are 504 and 500, so a client can tell them apart by
 * the status alone: only a 503 is safe to send again as it is.
 */
const statusByCode: ReadonlyMap<number, number> = new Map([
  [ErrorCode.timeout, 504], // indefinite: no outcome in time
  [ErrorCode.crash, 500], // indefinite: the node failed while at it
  [ErrorCode.nodeNotFound, 404],
  [ErrorCode.notSupported, 400],
  [ErrorCode.temporarilyUnavailable, 503], // definite: no leader now, or it is changing; try again
  [ErrorCode.malformedRequest, 400],
  [ErrorCode.abort, 409], // the store's quota, or an operation refused as a whole
  [ErrorCode.keyDoesNotExist, 404],
  [ErrorCode.keyAlreadyExists, 409],
  [ErrorCode.preconditionFailed, 409], // cas: the value was not `from`
  [ErrorCode.txnConflict, 409],
  [ErrorCode.notAMember, 503] // this node is not in the cluster: ask another
])

/** The HTTP status for an error with this code; a code not in the table is a 400 when definite, else a 500. */
export const httpStatusOfError = (code: number): number => statusByCode.get(code) ?? (isDefinite(code) ? 400 : 500)
