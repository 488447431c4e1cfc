import { Either } from "effect"
import type { NoEndpointAnswered, StoreAnswer } from "./storeCall.js"

const definiteness = (body: Record<string, unknown>) =>
  body["definite"] === true ? "definite: it did not happen" : "indefinite: it may or may not have happened"

/** Node ids as `n0, n1, n2`, or `-` for none. */
const list = (value: unknown) => Array.isArray(value) && value.length > 0 ? value.join(", ") : "-"

/**
 * A store's answer for a person: the value read, OK, the members, the
 * configuration a membership change ended with, or the error with its code
 * and whether it is definite.
 */
export const describeAnswer = ({ body, endpoint, status }: StoreAnswer): string => {
  switch (body["type"]) {
    case "read_ok":
      return JSON.stringify(body["value"])
    case "write_ok":
    case "cas_ok":
      return "OK"
    case "members_ok": {
      const outgoing = Array.isArray(body["outgoing"]) ? `\noutgoing voters: ${list(body["outgoing"])}` : ""
      return `voters: ${list(body["voters"])}\nlearners: ${list(body["learners"])}${outgoing}\n` +
        `leader: ${body["leader"] ?? "none known"} (term ${body["term"]})`
    }
    case "add_member_ok":
    case "remove_member_ok":
    case "reconfigure_ok":
      return `voters: ${list(body["voters"])}\nlearners: ${list(body["learners"])}`
    case "transfer_leadership_ok":
      return `leader: ${body["leader"]}`
    case "error":
      return `${endpoint} answered ${status}: error ${body["code"]} (${definiteness(body)}): ${body["text"]}`
    default:
      return JSON.stringify(body)
  }
}

const columns = ["endpoint", "node", "role", "term", "leader", "commit", "applied", "log", "snapshot"] as const

/** `kvctl status`: a table, one row per endpoint, an unreachable one with why. */
export const describeStatuses = (
  rows: ReadonlyArray<{ readonly endpoint: string; readonly answer: Either.Either<StoreAnswer, NoEndpointAnswered> }>
): string => {
  const cells = rows.map(({ answer, endpoint }) =>
    Either.match(answer, {
      onLeft: (error) => [endpoint, `unreachable (${error.attempts.join("; ").replace(`${endpoint}: `, "")})`],
      onRight: ({ body }) => [
        endpoint,
        String(body["node"]),
        String(body["role"]),
        String(body["term"]),
        String(body["leader"] ?? "-"),
        String(body["commit_index"]),
        String(body["applied_index"]),
        String(body["log_entries"]),
        String(body["snapshot_index"])
      ]
    })
  )
  const widths = columns.map((title, i) => Math.max(title.length, ...cells.filter((row) => row.length > 2).map((row) => row[i]!.length)))
  const line = (row: ReadonlyArray<string>) =>
    row.length === 2 ? `${row[0]!.padEnd(widths[0]!)}  ${row[1]}` : row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd()
  return [line(columns), ...cells.map(line)].join("\n")
}
