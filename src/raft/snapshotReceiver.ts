import { Effect, Stream } from "effect"
import type { Envelope } from "../../services/Network.js"
import type { InstallSnapshot, InstallSnapshotResult } from "../protocol/raftMessages.js"
import { heardFromLeader } from "./follower.js"
import { logDurable } from "./commit.js"
import { currentTerm, type RaftContext, transition } from "./RaftContext.js"
import type { RaftState } from "./RaftState.js"

/**
 * The chunks of one leader's snapshot received so far, until the last one
 * comes and the log takes them (it writes them out a chunk at a time).
 */
export interface IncomingSnapshot {
  readonly term: number
  readonly lastIndex: number
  readonly chunks: Array<string>
}

/** Where a follower keeps the snapshot it is receiving; changed only inside transitions. */
export interface SnapshotReceiver {
  current: IncomingSnapshot | null
}

export const makeSnapshotReceiver = (): SnapshotReceiver => ({ current: null })

const isJsonArray = (text: string): boolean => {
  try {
    return Array.isArray(JSON.parse(text))
  } catch {
    return false
  }
}

/**
 * A follower's handling of one InstallSnapshot chunk: like AppendEntries, it
 * recognises the leader; chunks must come in order (a first chunk starts
 * over), and the answer says how many it holds, the number of the next. With the last chunk
 * the snapshot replaces the entries it stands for (the reply leaves once
 * it is durable) and the commit index moves to its last index; the applier then
 * restores the state machine from it.
 */
export const handleInstallSnapshot = (context: RaftContext, envelope: Envelope, request: InstallSnapshot) =>
  Effect.gen(function*() {
    const reply = yield* transition(context, (state) =>
      Effect.gen(function*() {
        const answer = (
          received: number,
          installed: boolean,
          next: RaftState
        ): readonly [InstallSnapshotResult, RaftState] => [{ type: "install_snapshot_result", term: currentTerm(context), received,
          installed }, next]
        const heard = yield* heardFromLeader(context, state, request.term, request.leader_id)
        if (heard === null) return answer(0, false, state)
        const receiver = context.snapshotReceiver
        const current = receiver.current
        // A leader sends its newest snapshot: a late first chunk of an older one of the same term does not interrupt it.
        const older = current !== null && current.term === request.term && request.last_index < current.lastIndex
        if (request.offset === 0 && !older) {
          receiver.current = { term: request.term, lastIndex: request.last_index, chunks: [] }
        }
        const incoming = receiver.current
        if (incoming === null || incoming.term !== request.term || incoming.lastIndex !== request.last_index) {
          return answer(0, false, heard)
        }
        if (request.offset !== incoming.chunks.length) return answer(incoming.chunks.length, false, heard)
        // The log writes a chunk out as it came: one that is not a JSON array would make the file unreadable.
        if (!isJsonArray(request.data)) {
          yield* Effect.logWarning(`chunk ${request.offset} of ${request.leader_id}'s snapshot is not a JSON array; not taken`)
          return answer(incoming.chunks.length, false, heard)
        }
        incoming.chunks.push(request.data)
        if (!request.done) return answer(incoming.chunks.length, false, heard)
        receiver.current = null
        // Entries up to a commit index are already the leader's: nothing to install.
        if (request.last_index <= heard.commitIndex) return answer(incoming.chunks.length, true, heard)
        yield* context.log.saveSnapshot({
          lastIndex: request.last_index,
          lastTerm: request.last_term,
          ...(request.config === undefined ? {} : { config: request.config }),
          chunks: Stream.fromIterable(incoming.chunks)
        })
        yield* Effect.logInfo(`installed ${request.leader_id}'s snapshot of entries up to ${request.last_index}`)
        return answer(incoming.chunks.length, true, { ...heard, commitIndex: request.last_index })
      }))
    yield* context.log.whenDurable(Effect.zipRight(context.network.reply(envelope, reply), logDurable(context)))
  })
