import type { Entry } from "../services/Log.js"
import type { Body, Envelope } from "../services/Network.js"
import { describeConfiguration } from "../src/raft/configurations.js"

/** A log command as `write(k,v)`, `cas(k,a,b)` or `read(k)`; `noop` for Raft's own entry without one. */
export const describeCommand = (command: unknown): string => {
  if (command === undefined) return "noop"
  if (typeof command !== "object" || command === null) return JSON.stringify(command)
  const { type, ...fields } = command as { readonly type?: unknown }
  const args = Object.entries(fields)
    .filter(([name]) => name !== "msg_id")
    .map(([, value]) => JSON.stringify(value))
  return args.length === 0 ? String(type) : `${String(type)}(${args.join(",")})`
}

/** A log entry as `term:command`, or `term:config(...)` for a configuration. */
export const describeEntry = (entry: Entry): string =>
  `${String(entry.term)}:${entry.config === undefined ? describeCommand(entry.command) : `config(${describeConfiguration(entry.config)})`}`

const describeEntries = (entries: unknown): string =>
  Array.isArray(entries) ? `[${entries.map(describeEntry).join(" ")}]` : JSON.stringify(entries)

/** A message body on one line: its type, then its fields as name=value. */
export const describeBody = (body: Body): string => {
  const { type, ...fields } = body
  const parts = Object.entries(fields).map(([name, value]) =>
    name === "entries" ? `entries=${describeEntries(value)}` : `${name}=${JSON.stringify(value)}`
  )
  return [type, ...parts].join(" ")
}

export const describeEnvelope = (envelope: Envelope): string => `${envelope.src}->${envelope.dest} ${describeBody(envelope.body)}`
