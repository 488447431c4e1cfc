import { Clock, Effect, Fiber, Option, Random } from "effect"
import { type Link, noMessageFaults } from "./SimulatedNetwork.js"
import { sampleLatency } from "../linkv/latency.js"
import { cutLinks, shapesFor, shuffledPartition } from "../linkv/partitionShapes.js"
import type { NodeId } from "../src/protocol/envelope.js"
import { diskFaultKinds, isDiskFault, makeDiskFaults, undetectableDiskFaultKinds } from "./diskFaults.js"
import { makeMembershipFaults, operatorFaultKinds } from "./membershipFaults.js"
import { clockFaultKinds } from "./NodeClock.js"
import { makePauseFaults } from "./pauseFaults.js"
import type { SimCluster } from "./SimCluster.js"
import { randomPick } from "../foundation/randomPick.js"

/** The network and process faults, each as one of the nemesis's actions. */
export const faultKinds = ["partition", "loss", "dup", "reorder", "slow", "crash"] as const
/** The faults a simulation injects unless told otherwise: the network and process faults, and the storage faults the node survives. */
export const defaultFaultKinds = [...faultKinds, ...diskFaultKinds] as const
/**
 * Faults injected only when named: "leader-churn" watches for new leaders
 * and cuts each off from everyone after a short reign (see `churnLeaders`);
 * "late-answers" does the same, but what is already travelling to the leader
 * still arrives, so it reads on late answers and hears of no later leader;
 * "diverge" leaves a follower with entries the next leaders never had (see
 * `diverge`); "lost-suffix", the storage fault the node cannot detect
 * (diskFaults.ts); "membership" and "transfer", an operator's changes of who
 * votes and who leads (membershipFaults.ts); "pause" and "drift", a node
 * frozen for a while and clocks at rates of their own (NodeClock.ts).
 */
export const optInFaultKinds = [
  "leader-churn",
  "late-answers",
  "diverge",
  ...undetectableDiskFaultKinds,
  ...operatorFaultKinds,
  ...clockFaultKinds
] as const
/** The opt-in kinds the nemesis picks among its actions, as it picks the default ones ("drift" is no action: it holds all along). */
const optInActionKinds = ["diverge", ...undetectableDiskFaultKinds, ...operatorFaultKinds, "pause"] as const
export type FaultKind = (typeof defaultFaultKinds)[number] | (typeof optInFaultKinds)[number]

export interface NemesisOptions {
  readonly faults: ReadonlySet<FaultKind>
  /** Simulated milliseconds between two fault actions, uniform in [min, max]. */
  readonly minIntervalMs: number
  readonly maxIntervalMs: number
  /** No fault starts at or after this simulated time. */
  readonly untilMs: number
  /**
   * How long a cut that isolates the leader holds at least, so that another
   * leader takes over while the old one still believes it leads (the window
   * where a deposed leader can answer what it must not).
   */
  readonly leaderCutHoldMs: number
  /** With "leader-churn" or "late-answers": the longest a new leader leads before it is cut off. */
  readonly churnReignMaxMs: number
  /** The shortest election timeout: how long "diverge" lets a leader and its follower go on alone, at most. */
  readonly electionTimeoutMinMs: number
  /** The longest election timeout: slow fsyncs stall up to a few of them, disk faults last about as long. */
  readonly electionTimeoutMaxMs: number
  /** The nodes' request timeout: how long an operator's change may take, a step at a time. */
  readonly requestTimeoutMs: number
  /** How often each kind is picked, relative to the others (1 when not given; 0 never). */
  readonly weights?: Readonly<Partial<Record<FaultKind, number>>>
}

const pick = randomPick

const allLinks = (nodes: ReadonlyArray<NodeId>): Array<Link> =>
  nodes.flatMap((a) => nodes.filter((b) => b !== a).map((b) => [a, b] as const))

/** The leader of the highest term among the running nodes, if any. */
const currentLeader = (cluster: SimCluster): { readonly node: NodeId; readonly term: number } | undefined => {
  let leader: { readonly node: NodeId; readonly term: number } | undefined
  for (const [node, { role, term }] of cluster.currentRoles()) {
    if (role === "leader" && (leader === undefined || term > leader.term)) leader = { node, term }
  }
  return leader
}

const linksOf = (nodes: ReadonlyArray<NodeId>, node: NodeId) => allLinks(nodes).filter(([a, b]) => a === node || b === node)

/**
 * Until `untilMs`, every new leader is cut off from everyone after a reign
 * drawn log-uniformly from 0 to `maxReignMs` (a reign of a few milliseconds
 * as likely as one of tens), replacing the earlier cut so that the leader
 * cut off before rejoins. Leaders come and go faster than they replicate:
 * the entries of a deposed leader survive on few nodes, and a leader of a
 * later term may replicate them to a majority and then be cut off in turn
 * (the Raft paper's figure 8). With `late` ("late-answers"), what was
 * already travelling when the cut came still arrives: the deposed leader,
 * hearing of no later leader, takes in answers to requests of its earlier
 * read rounds, late and duplicated, while its clients' reads wait on it;
 * with both kinds offered, each cut draws which.
 */
const churnLeaders = (cluster: SimCluster, maxReignMs: number, untilMs: number, late: "never" | "always" | "drawn") =>
  Effect.gen(function*() {
    let seen = ""
    while ((yield* Clock.currentTimeMillis) < untilMs) {
      yield* Effect.sleep(1)
      const leader = currentLeader(cluster)
      if (leader === undefined || `${leader.node}@${leader.term}` === seen) continue
      seen = `${leader.node}@${leader.term}`
      const inFlightArrives = late === "drawn" ? yield* Random.nextBoolean : late === "always"
      // A leader that will take in late answers reigns one to four times as long, uniformly: long enough to serve
      // reads, and to commit writes while the one before it, cut off, still takes in its own late answers.
      yield* Effect.sleep(
        inFlightArrives
          ? yield* Random.nextIntBetween(maxReignMs, 4 * maxReignMs + 1)
          : Math.floor(Math.exp(Math.log(maxReignMs + 1) * (yield* Random.next)))
      )
      if ((yield* Clock.currentTimeMillis) >= untilMs) return
      cluster.note(
        `nemesis: leader churn, ${leader.node} (term ${leader.term}) cut off${inFlightArrives ? ", what travels to it arrives" : ""}`
      )
      yield* cluster.network.cut(linksOf(cluster.nodeIds, leader.node), { inFlightArrives })
    }
  })

/**
 * A follower left holding entries no later leader has, then brought back to
 * a leader that may have compacted past them: the leader and one follower
 * are cut off together for up to an election timeout (the leader appends
 * what its clients write, and only that follower takes it), then the
 * follower alone, until the other side has elected a leader of a later term
 * (a majority without them: five nodes or more) and for up to an election
 * timeout more (it commits, and with frequent snapshots compacts); then the
 * follower rejoins that side, and its log conflicts with the leader's at and
 * after the point where they parted: an InstallSnapshot must not keep what
 * the follower holds beyond the snapshot's last entry. The old leader stays
 * cut off until a later fault action. Whether it left a cut in place.
 */
const diverge = (cluster: SimCluster, electionTimeoutMinMs: number, electionTimeoutMaxMs: number): Effect.Effect<boolean> =>
  Effect.gen(function*() {
    const leader = currentLeader(cluster)
    const { network, nodeIds } = cluster
    if (leader === undefined || nodeIds.length < 5) return false
    const follower = yield* pick(nodeIds.filter((node) => node !== leader.node))
    const rest = nodeIds.filter((node) => node !== leader.node && node !== follower)
    cluster.note(`nemesis: diverge, ${leader.node} (term ${leader.term}) and ${follower} cut off together`)
    yield* network.partition([[leader.node, follower], rest])
    yield* Effect.sleep(yield* Random.nextIntBetween(0, electionTimeoutMinMs + 1))
    cluster.note(`nemesis: diverge, ${follower} cut off alone`)
    yield* network.partition([[leader.node], [follower], rest])
    const electedAfter = (yield* Clock.currentTimeMillis) + 4 * electionTimeoutMaxMs
    const successor = () => {
      const now = currentLeader(cluster)
      return now !== undefined && now.term > leader.term && rest.includes(now.node)
    }
    while (!successor() && (yield* Clock.currentTimeMillis) < electedAfter) yield* Effect.sleep(1)
    yield* Effect.sleep(yield* Random.nextIntBetween(0, electionTimeoutMinMs + 1))
    cluster.note(`nemesis: diverge, ${follower} rejoins ${rest.join(", ")}`)
    yield* network.partition([[leader.node], [follower, ...rest]])
    return true
  })

/**
 * A partition to start: one of Maelstrom's shapes offered for this cluster
 * size (see linkv/partitionShapes.ts), the current leader cut off from
 * everyone (the cut that tests what a deposed leader that does not know it
 * yet may answer: stale reads, lost writes), or an arbitrary nonempty set of
 * one-way links, each as likely; as the links to cut and a name for the
 * trace. None on one node, where there is nothing to cut.
 */
const randomCut = (
  nodes: ReadonlyArray<NodeId>,
  leader: NodeId | undefined
): Effect.Effect<Option.Option<{ readonly name: string; readonly links: ReadonlyArray<Link>; readonly isolatesLeader?: boolean }>> =>
  Effect.gen(function*() {
    const links = allLinks(nodes)
    if (links.length === 0) return Option.none()
    const shapes = shapesFor(nodes.length)
    const choice = yield* Random.nextIntBetween(0, shapes.length + 2)
    if (choice < shapes.length) {
      const partition = yield* shuffledPartition(shapes[choice]!, nodes)
      return Option.some({ name: partition.description, links: cutLinks(partition, nodes) })
    }
    if (choice === shapes.length && leader !== undefined) {
      return Option.some({ name: `leader ${leader} isolated`, links: linksOf(nodes, leader), isolatesLeader: true })
    }
    const chosen: Array<Link> = []
    for (const link of links) if ((yield* Random.next) < 0.3) chosen.push(link)
    if (chosen.length === 0) chosen.push(yield* pick(links))
    return Option.some({ name: `arbitrary cut ${chosen.map(([a, b]) => `${a}>${b}`).join(" ")}`, links: chosen })
  })

/**
 * Injects faults at random intervals until `untilMs`, then lifts them all:
 * heals the network and the disks, clears message faults and slow links,
 * restarts crashed nodes and those stopped by their disk's errors. Each fault kind is switched on or off in turn, so runs see both.
 */
export const runNemesis = (cluster: SimCluster, options: NemesisOptions): Effect.Effect<void> =>
  Effect.gen(function*() {
    const kinds = [...defaultFaultKinds, ...optInActionKinds].filter((k) => options.faults.has(k))
    const weighted = kinds.map((kind) => [kind, options.weights?.[kind] ?? 1] as const).filter(([, weight]) => weight > 0)
    const totalWeight = weighted.reduce((sum, [, weight]) => sum + weight, 0)
    const pickKind = Effect.map(Random.next, (r) => {
      let left = r * totalWeight
      for (const [kind, weight] of weighted) if ((left -= weight) < 0) return kind
      return weighted.at(-1)![0]
    })
    const disks = makeDiskFaults(cluster, { electionTimeoutMaxMs: options.electionTimeoutMaxMs })
    const operator = makeMembershipFaults(cluster, { requestTimeoutMs: options.requestTimeoutMs })
    const pauses = makePauseFaults(cluster, { electionTimeoutMaxMs: options.electionTimeoutMaxMs })
    const { network, nodeIds } = cluster
    let messageFaults = noMessageFaults
    let partitioned = false
    const slowLinks = new Set<Link>()
    const setMessageFaults = (change: Partial<typeof messageFaults>) => {
      messageFaults = { ...messageFaults, ...change }
      return network.setFaults(messageFaults)
    }

    const act = (kind: FaultKind) =>
      Effect.gen(function*() {
        if (isDiskFault(kind)) return yield* disks.inject(kind)
        switch (kind) {
          case "membership":
          case "transfer":
            return yield* operator.inject(kind)
          case "pause":
            return yield* pauses.inject
          case "diverge": {
            if (yield* diverge(cluster, options.electionTimeoutMinMs, options.electionTimeoutMaxMs)) partitioned = true
            return
          }
          case "partition": {
            if (partitioned && (yield* Random.nextBoolean)) {
              cluster.note("nemesis: heal")
              partitioned = false
              return yield* network.heal
            }
            const cut = yield* randomCut(nodeIds, currentLeader(cluster)?.node)
            if (Option.isNone(cut)) return
            cluster.note(`nemesis: partition, ${cut.value.name}`)
            partitioned = true
            yield* network.cut(cut.value.links)
            if (cut.value.isolatesLeader) yield* Effect.sleep(options.leaderCutHoldMs)
            return
          }
          case "loss": {
            const loss = messageFaults.loss > 0 ? 0 : 0.05 + 0.25 * (yield* Random.next)
            cluster.note(`nemesis: message loss ${loss.toFixed(2)}`)
            return yield* setMessageFaults({ loss })
          }
          case "dup": {
            const duplication = messageFaults.duplication > 0 ? 0 : 0.05 + 0.25 * (yield* Random.next)
            cluster.note(`nemesis: duplication ${duplication.toFixed(2)}`)
            return yield* setMessageFaults({ duplication })
          }
          case "reorder": {
            const reordering = messageFaults.reordering > 0 ? 0 : 0.1 + 0.4 * (yield* Random.next)
            cluster.note(`nemesis: reordering ${reordering.toFixed(2)}`)
            return yield* setMessageFaults({ reordering, reorderDelayMs: 200 })
          }
          case "slow": {
            if (nodeIds.length < 2) return
            const link = yield* pick(allLinks(nodeIds))
            const meanMs = yield* Random.nextIntBetween(30, 300)
            cluster.note(`nemesis: slow link ${link[0]}>${link[1]}, exponential mean ${meanMs} ms`)
            slowLinks.add(link)
            return yield* network.setLinkLatency(link, sampleLatency({ _tag: "Exponential", meanMs }))
          }
          case "crash": {
            const node = yield* pick(nodeIds)
            if (!cluster.isRunning(node)) return yield* cluster.start(node)
            yield* cluster.crash(node)
            // Most crashed nodes come back soon; the rest wait for a later crash action or the end.
            if ((yield* Random.next) < 0.7) {
              const downMs = yield* Random.nextIntBetween(50, 2000)
              yield* Effect.forkScoped(
                Effect.sleep(downMs).pipe(
                  Effect.zipRight(Effect.suspend(() => cluster.isRunning(node) ? Effect.void : cluster.start(node)))
                )
              )
            }
          }
        }
      })

    const churns = options.faults.has("leader-churn"), late = options.faults.has("late-answers")
    const churn = (churns || late) && nodeIds.length > 1
      ? Option.some(
        yield* Effect.fork(churnLeaders(cluster, options.churnReignMaxMs, options.untilMs, !late ? "never" : churns ? "drawn" : "always"))
      )
      : Option.none()
    if (weighted.length > 0) {
      while (true) {
        yield* Effect.sleep(yield* Random.nextIntBetween(options.minIntervalMs, options.maxIntervalMs + 1))
        if ((yield* Clock.currentTimeMillis) >= options.untilMs) break
        // Every kind equally likely: one draw, as before kinds had weights, so earlier seeds replay as they did.
        yield* act(options.weights === undefined ? yield* pick(weighted.map(([kind]) => kind)) : yield* pickKind)
      }
    }
    if (Option.isSome(churn)) yield* Fiber.join(churn.value)
    cluster.note("nemesis: all faults lifted")
    yield* network.heal
    yield* network.setFaults(noMessageFaults)
    for (const link of slowLinks) yield* network.setLinkLatency(link, null)
    yield* disks.healAll
    if (options.faults.has("pause")) yield* pauses.resumeAll
    for (const node of nodeIds) if (!cluster.isRunning(node)) yield* cluster.start(node)
    if (options.faults.has("membership")) yield* operator.restore(3)
  }).pipe(Effect.scoped)
