import { Effect, Either, FiberSet, type Scope } from "effect"
import { decodeEnvelope, encodeEnvelope, type Envelope } from "../src/protocol/envelope.js"
import { type LatencyDistribution, sampleLatency } from "../linkv/latency.js"
import { isCut, noPartition, type Partition } from "../linkv/partitionShapes.js"
import { isServiceName, makeServices, type ServiceName } from "./builtinServices/services.js"

/**
 * A message the workbench passes on, as a line for a node's stdin. Every one
 * was decoded from a line or built by the workbench, so it always encodes:
 * a failure here is a defect of the workbench.
 */
export const envelopeLine = (envelope: Envelope): string => Either.getOrThrow(encodeEnvelope(envelope))

/** Where a message printed by a node goes, decided from the ids and the partition alone. */
export type Route =
  /** `fromClient`: the node passes on a message in a client's name (Maelstrom's tutorial Raft forwards requests so). */
  | { readonly _tag: "ToNode"; readonly fromClient: boolean }
  | { readonly _tag: "ToClient" }
  /** A request to one of Maelstrom's built-in services. */
  | { readonly _tag: "ToService"; readonly service: ServiceName }
  | { readonly _tag: "CutByPartition" }
  | { readonly _tag: "UnknownSrc" }
  | { readonly _tag: "UnknownDest" }

/**
 * The routing rule, Maelstrom's: a message goes from any known id (node,
 * client or service, whichever node printed it) to any known id; node->node
 * messages are dropped across a cut; messages from or to a client or a
 * service never are (a cut is between nodes); anything else is addressed
 * from or to nobody.
 */
export const routeFromNode = (
  envelope: Envelope,
  nodes: ReadonlySet<string>,
  isKnownClient: (id: string) => boolean,
  partition: Partition
): Route => {
  const { dest, src } = envelope
  if (!nodes.has(src) && !isKnownClient(src) && !isServiceName(src)) return { _tag: "UnknownSrc" }
  if (isKnownClient(dest)) return { _tag: "ToClient" }
  if (isServiceName(dest)) return { _tag: "ToService", service: dest }
  if (!nodes.has(dest)) return { _tag: "UnknownDest" }
  return isCut(partition, src, dest) ? { _tag: "CutByPartition" } : { _tag: "ToNode", fromClient: isKnownClient(src) }
}

/** A node printed a line on stdout that is no message; nothing it printed after was read. */
export interface StdoutCutOff {
  readonly node: string
  readonly line: string
}

/** What the router saw, for results.json. */
export interface RouterCounters {
  readonly nodeToNode: number
  readonly clientToNode: number
  readonly nodeToClient: number
  /** Requests that reached a built-in service (lin-kv, seq-kv, lww-kv, lin-tso), and the replies the services sent. */
  readonly toServices: number
  readonly fromServices: number
  readonly cutByPartition: number
  /** Messages for a node that was down (killed, or restarted and not yet initialized), lost as on a network. */
  readonly toDownNode: number
  readonly unknownSrc: number
  readonly unknownDest: number
  /** Nodes whose stdout was no longer read, each after the line that was no message (as Maelstrom does). */
  readonly stdoutCutOff: ReadonlyArray<StdoutCutOff>
  /** The first few messages from an unknown src or to an unknown dest, so a user can see what their node printed. */
  readonly samples: ReadonlyArray<{ readonly node: string; readonly problem: string; readonly line: string }>
}

/** A network that carried nothing yet. */
export const emptyCounters: RouterCounters = {
  nodeToNode: 0,
  clientToNode: 0,
  nodeToClient: 0,
  toServices: 0,
  fromServices: 0,
  cutByPartition: 0,
  toDownNode: 0,
  unknownSrc: 0,
  unknownDest: 0,
  stdoutCutOff: [],
  samples: []
}

const maxSamples = 20

export interface RouterConfig {
  /** Each node's input: takes a line and says whether the node received it (false: it is down, killed or not yet initialized). */
  readonly nodes: ReadonlyMap<string, (line: string) => Effect.Effect<boolean>>
  /** Of messages between nodes and services (node-to-node, node-to-service and back); clients have none. */
  readonly latency: LatencyDistribution
}

export interface Router {
  /**
   * Handles one stdout line of a node. Never fails: a line that is no message
   * cuts off the node's stdout; wrong addresses are counted.
   */
  readonly fromNode: (sender: string, line: string) => Effect.Effect<void>
  /** Client -> node, without latency or partitions (clients are not in the cluster network). */
  readonly fromClient: (envelope: Envelope) => Effect.Effect<void>
  /** Client ids are known from their first message on; replies to them go to `deliver`. */
  readonly openClient: (id: string, deliver: (envelope: Envelope) => Effect.Effect<void>) => Effect.Effect<void>
  readonly closeClient: (id: string) => Effect.Effect<void>
  readonly setPartition: (partition: Partition) => Effect.Effect<void>
  readonly counters: Effect.Effect<RouterCounters>
}

/** The simulated network between the node processes and the clients; delayed messages live in the scope. */
export const makeRouter = (config: RouterConfig): Effect.Effect<Router, never, Scope.Scope> =>
  Effect.gen(function*() {
    const nodeIds = new Set(config.nodes.keys())
    const knownClients = new Set<string>()
    const cutOff = new Set<string>()
    const openClients = new Map<string, (envelope: Envelope) => Effect.Effect<void>>()
    // Plain mutable state, read and changed only inside effects: the router
    // runs for every message, and a Ref per counter cost it dearly.
    let partition = noPartition
    const tally = { ...emptyCounters, stdoutCutOff: [] as Array<StdoutCutOff>, samples: [] as Array<RouterCounters["samples"][number]> }
    const inFlight = yield* FiberSet.make()
    const services = yield* makeServices

    const count = (field: Exclude<keyof RouterCounters, "samples" | "stdoutCutOff">) => Effect.sync(() => void (tally[field] += 1))
    const reject = (field: "unknownSrc" | "unknownDest", node: string, problem: string, line: string) =>
      Effect.sync(() => {
        tally[field] += 1
        if (tally.samples.length < maxSamples) tally.samples.push({ node, problem, line: line.slice(0, 300) })
      })

    const toNode = (envelope: Envelope) =>
      Effect.flatMap(config.nodes.get(envelope.dest)!(envelopeLine(envelope)), (received) => received ? Effect.void : count("toDownNode"))
    /** Runs `deliver` after `delayMs`, in flight meanwhile: the sender does not wait. */
    const afterLatency = (delayMs: number, deliver: Effect.Effect<void>) =>
      delayMs <= 0 ? deliver : Effect.asVoid(FiberSet.run(inFlight, Effect.zipRight(Effect.sleep(delayMs), deliver)))
    /** A message to or from a server (node or service) travels with latency, unless a client is at one end, as in Maelstrom. */
    const latencyOf = (envelope: Envelope) =>
      knownClients.has(envelope.src) || knownClients.has(envelope.dest) ? Effect.succeed(0) : sampleLatency(config.latency)
    /** A message that was in flight: dropped if a partition cut its link meanwhile. */
    const deliverUnlessCut = (envelope: Envelope) =>
      Effect.suspend(() => isCut(partition, envelope.src, envelope.dest) ? count("cutByPartition") : toNode(envelope))

    /**
     * The service answers the request's `src`: a node (with latency, never
     * cut) or a client. It does not answer a service, so no two services
     * can trade replies forever.
     */
    const serve = (service: ServiceName, request: Envelope): Effect.Effect<void> =>
      Effect.gen(function*() {
        if (isServiceName(request.src)) return
        const answer = yield* services.answer(service, request.src, request.body)
        const body = request.body.msg_id === undefined ? answer : { ...answer, in_reply_to: request.body.msg_id }
        const reply: Envelope = { src: service, dest: request.src, body }
        yield* count("fromServices")
        const client = openClients.get(reply.dest)
        if (knownClients.has(reply.dest)) return client === undefined ? undefined : yield* client(reply)
        yield* afterLatency(yield* latencyOf(reply), toNode(reply))
      })

    const fromNode = (sender: string, line: string): Effect.Effect<void> =>
      Effect.suspend(() => {
        if (line.trim() === "" || cutOff.has(sender)) return Effect.void
        const decoded = decodeEnvelope(line)
        if (Either.isLeft(decoded)) {
          cutOff.add(sender)
          tally.stdoutCutOff.push({ node: sender, line: line.slice(0, 300) })
          return Effect.void
        }
        const envelope = decoded.right
        const route = routeFromNode(envelope, nodeIds, (id) => knownClients.has(id), partition)
        switch (route._tag) {
          case "UnknownSrc":
            return reject("unknownSrc", sender, `src ${JSON.stringify(envelope.src)} is no node or client`, line)
          case "UnknownDest":
            return reject("unknownDest", sender, `dest ${JSON.stringify(envelope.dest)} is no node or client`, line)
          case "CutByPartition":
            tally.cutByPartition += 1
            return Effect.void
          case "ToClient": {
            tally.nodeToClient += 1
            return openClients.get(envelope.dest)?.(envelope) ?? Effect.void
          }
          case "ToNode": {
            if (route.fromClient) {
              tally.clientToNode += 1
              return toNode(envelope)
            }
            tally.nodeToNode += 1
            return Effect.flatMap(sampleLatency(config.latency),
              (delay) => delay <= 0 ? toNode(envelope) : afterLatency(delay, deliverUnlessCut(envelope)))
          }
          case "ToService":
            tally.toServices += 1
            return Effect.flatMap(latencyOf(envelope), (delay) => afterLatency(delay, serve(route.service, envelope)))
        }
      })

    return {
      fromNode,
      fromClient: (envelope) =>
        Effect.suspend(() => {
          if (!nodeIds.has(envelope.dest)) return Effect.void
          tally.clientToNode += 1
          return toNode(envelope)
        }),
      openClient: (id, deliver) =>
        Effect.sync(() => {
          knownClients.add(id)
          openClients.set(id, deliver)
        }),
      closeClient: (id) => Effect.sync(() => void openClients.delete(id)),
      setPartition: (next) => Effect.sync(() => void (partition = next)),
      counters: Effect.sync((): RouterCounters => ({ ...tally, stdoutCutOff: [...tally.stdoutCutOff], samples: [...tally.samples] }))
    }
  })
