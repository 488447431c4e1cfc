import { Either } from "effect"

/**
 * The client ports of the cluster `npm run cluster` starts (bin/cluster):
 * kvctl's endpoints when neither --endpoints nor KVCTL_ENDPOINTS is given.
 */
export const clusterEndpoints: ReadonlyArray<string> = ["127.0.0.1:7001", "127.0.0.1:7002", "127.0.0.1:7003"]

/** `host:port,host:port,...` as a list, or what is wrong with an entry. */
export const parseEndpoints = (text: string): Either.Either<ReadonlyArray<string>, string> => {
  const entries = text.split(",").map((entry) => entry.trim()).filter((entry) => entry !== "")
  if (entries.length === 0) return Either.left("expected host:port, separated by commas")
  for (const entry of entries) {
    const match = /^(\[[^\]]+\]|[^:/\s]+):([0-9]{1,5})$/.exec(entry)
    const port = match === null ? 0 : Number(match[2])
    if (port < 1 || port > 65535) return Either.left(`${JSON.stringify(entry)} is not host:port (a port from 1 to 65535)`)
  }
  return Either.right(entries)
}
