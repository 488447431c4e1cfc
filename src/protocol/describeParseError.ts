import { ParseResult } from "effect"

/** The longest text one issue may take: the value a client sent is quoted in it, and may be large. */
const maxIssueChars = 300

const shorten = (text: string) => (text.length > maxIssueChars ? `${text.slice(0, maxIssueChars)}...` : text)

/** A parse error in one short line a client can act on, e.g. `key: is missing`. */
export const describeParseError = (error: ParseResult.ParseError): string =>
  ParseResult.ArrayFormatter.formatErrorSync(error)
    .map((issue) => shorten(issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
    .join("; ")
