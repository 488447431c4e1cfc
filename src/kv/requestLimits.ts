import { jsonDepth } from "../../foundation/json.js"
import type { KvRequest } from "../protocol/kvMessages.js"

/**
 * What a client may ask to store. A request passes through the log and
 * through node-to-node messages, which wrap it in a few more levels and batch
 * many of them into one line: these limits sit well inside the wire's
 * (src/protocol/wireLimits.ts) so that whatever one node accepted, every other
 * node can read, and a restarted node can replay from its log.
 */

/** The deepest nesting of arrays and objects in a key or value. */
export const maxValueDepth = 100

/** The most bytes of a request as the node encodes it (64 of them must fit in one AppendEntries). */
export const maxRequestBytes = 1024 * 1024

/** The most bytes a request's type, field names and msg_id take as JSON, its keys and values aside. */
const requestFrameBytes = 256

/**
 * At least as many bytes as a number, string, boolean or null takes as JSON
 * (a character escaped as \uXXXX takes 6); undefined for an array or object.
 */
const primitiveBytesBound = (value: unknown): number | undefined =>
  typeof value === "string" ? 6 * value.length + 2 : typeof value === "object" && value !== null ? undefined : 24

/** Why a client's request is refused before it enters the system, or undefined when it may. */
export const requestLimitViolation = (request: KvRequest): string | undefined => {
  let bound = requestFrameBytes
  // Adds one field's bound to the request's, or says why its nesting is refused.
  const weigh = (name: string, value: unknown): string | undefined => {
    const depth = jsonDepth(value) ?? 0
    if (depth > maxValueDepth) return `${name} nests ${depth} levels of arrays and objects; the limit is ${maxValueDepth}`
    bound += primitiveBytesBound(value) ?? Number.POSITIVE_INFINITY
    return undefined
  }
  const nesting = weigh("key", request.key) ?? (request.type === "write"
    ? weigh("value", request.value)
    : request.type === "cas"
    ? weigh("from", request.from) ?? weigh("to", request.to)
    : undefined)
  if (nesting !== undefined) return nesting
  // Small keys and values (nearly every request) need not be encoded to know they fit.
  if (bound <= maxRequestBytes) return undefined
  const bytes = Buffer.byteLength(JSON.stringify(request))
  return bytes > maxRequestBytes ? `the request is ${bytes} bytes as JSON; the limit is ${maxRequestBytes}` : undefined
}
