import { ParseResult } from "effect"

/** The most issues named, and the longest text of each: a message may be large and wrong in many places. */
const maxIssues = 5
const maxIssueChars = 300

const shorten = (text: string) => (text.length > maxIssueChars ? `${text.slice(0, maxIssueChars)}...` : text)

/** A parse error in one short line a client can act on, e.g. `key: is missing`. */
export const describeParseError = (error: ParseResult.ParseError): string => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
  const named = issues
    .slice(0, maxIssues)
    .map((issue) => shorten(issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
  return issues.length > maxIssues ? `${named.join("; ")}; and ${issues.length - maxIssues} more` : named.join("; ")
}
