import * as fs from "node:fs"
import * as path from "node:path"
import { Effect, Layer, Metric } from "effect"
import { Disk, DiskError, type DiskFile } from "../services/Disk.js"
import { fsyncs } from "./NodeStats.js"

/** Runs one synchronous file system call; a throw becomes a DiskError naming the call and the path. */
const call = <A>(operation: string, target: string, run: () => A): Effect.Effect<A, DiskError> =>
  Effect.try({
    try: run,
    catch: (error) =>
      new DiskError({
        reason: `${operation} ${target}: ${error instanceof Error ? error.message : String(error)}`,
        code: (error as NodeJS.ErrnoException).code
      })
  })

/** The directories `mkdir -p` made, outermost first, given the first one it made. */
const createdBetween = (first: string | undefined, deepest: string): ReadonlyArray<string> => {
  if (first === undefined) return []
  const outermost = path.resolve(first)
  const created = [path.resolve(deepest)]
  while (created[0] !== outermost && created[0] !== path.dirname(created[0]!)) created.unshift(path.dirname(created[0]!))
  return created
}

const fileAt = (fd: number, target: string): DiskFile => ({
  read: (position, maxBytes) =>
    call("read", target, () => {
      const buffer = Buffer.alloc(maxBytes)
      return buffer.subarray(0, fs.readSync(fd, buffer, 0, maxBytes, position))
    }),
  write: (bytes, position) => call("write", target, () => fs.writeSync(fd, bytes, 0, bytes.length, position)),
  fsync: Effect.zipLeft(call("fsync", target, () => fs.fsyncSync(fd)), Metric.increment(fsyncs)),
  truncate: (length) => call("truncate", target, () => fs.ftruncateSync(fd, length))
})

/** Opens for reading and writing; creates the file only when it does not exist. */
const openOrCreate = (target: string) =>
  call("open", target, () => ({ fd: fs.openSync(target, "r+"), created: false })).pipe(
    Effect.catchIf((error) => error.code === "ENOENT", () => call("create", target, () => ({ fd: fs.openSync(target, "wx+"), created: true })))
  )

/** The machine's own file system, through node:fs. */
export const NodeDisk = Layer.succeed(Disk, {
  createDirectory: (directory) =>
    call("mkdir", directory, () => createdBetween(fs.mkdirSync(directory, { recursive: true }), directory)),
  open: (target) =>
    Effect.acquireRelease(openOrCreate(target), ({ fd }) => Effect.sync(() => fs.closeSync(fd))).pipe(
      Effect.map(({ created, fd }) => ({ file: fileAt(fd, target), created }))
    ),
  rename: (from, to) => call("rename", `${from} to ${to}`, () => fs.renameSync(from, to)),
  fsyncDirectory: (directory) =>
    call("fsync directory", directory, () => {
      const fd = fs.openSync(directory, "r")
      try {
        fs.fsyncSync(fd)
      } finally {
        fs.closeSync(fd)
      }
    }).pipe(Effect.zipLeft(Metric.increment(fsyncs)))
})
