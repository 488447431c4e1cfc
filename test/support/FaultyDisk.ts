import { Effect, Layer } from "effect"
import { NodeDisk } from "../../layers/NodeDisk.js"
import { Disk, DiskError, type DiskFile, type DiskShape } from "../../services/Disk.js"

/** What the next write does instead of writing everything: write only its first bytes, or fail with an error code. */
export type WriteFault = { readonly writeOnly: number } | { readonly fail: string }

/**
 * The machine's disk with scripted faults: the next writes, fsyncs and
 * truncations take their fault from these queues, in order (a short write
 * really writes its first bytes); once a queue is empty, calls succeed.
 * Every call is recorded in `calls`.
 */
export class FaultyDisk {
  readonly nextWrites: Array<WriteFault> = []
  readonly nextFsyncs: Array<string> = []
  readonly nextTruncates: Array<string> = []
  readonly calls: Array<string> = []

  readonly layer: Layer.Layer<Disk> = Layer.effect(
    Disk,
    Effect.map(Disk, (real): DiskShape => ({
      createDirectory: (path) => this.record(`create directory ${path}`, real.createDirectory(path)),
      fsyncDirectory: (path) => this.record(`fsync directory ${path}`, real.fsyncDirectory(path)),
      rename: (from, to) => this.record(`rename ${from} to ${to}`, real.rename(from, to)),
      resolveLinks: real.resolveLinks,
      open: (path) =>
        Effect.map(real.open(path), ({ created, file }) => {
          this.calls.push(`${created ? "create" : "open"} ${path}`)
          return { created, file: this.faulty(file, path) }
        })
    }))
  ).pipe(Layer.provide(NodeDisk))

  private record<A, E>(call: string, effect: Effect.Effect<A, E>): Effect.Effect<A, E> {
    return Effect.zipRight(Effect.sync(() => this.calls.push(call)), effect)
  }

  private faulty(file: DiskFile, path: string): DiskFile {
    const fail = (operation: string, code: string) => new DiskError({ reason: `${operation} ${path}: ${code}: injected`, code })
    return {
      read: file.read,
      write: (bytes, position) =>
        Effect.suspend(() => {
          this.calls.push(`write ${bytes.length} at ${position}`)
          const fault = this.nextWrites.shift()
          if (fault === undefined) return file.write(bytes, position)
          if ("fail" in fault) return fail("write", fault.fail)
          return file.write(bytes.subarray(0, fault.writeOnly), position)
        }),
      fsync: Effect.suspend(() => {
        this.calls.push("fsync")
        const code = this.nextFsyncs.shift()
        return code === undefined ? file.fsync : fail("fsync", code)
      }),
      truncate: (length) =>
        Effect.suspend(() => {
          this.calls.push(`truncate ${length}`)
          const code = this.nextTruncates.shift()
          return code === undefined ? file.truncate(length) : fail("truncate", code)
        })
    }
  }
}
