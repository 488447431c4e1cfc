import * as fs from "node:fs"
import * as path from "node:path"
import { Effect, Layer, Metric } from "effect"
import { Disk, DiskError, type DiskFile } from "../services/Disk.js"
import { fsyncs } from "./NodeStats.js"

const failure = (operation: string, target: string, error: unknown) =>
  new DiskError({
    reason: `${operation} ${target}: ${error instanceof Error ? error.message : String(error)}`,
    code: (error as NodeJS.ErrnoException).code
  })

/**
 * Runs one file system call on libuv's thread pool, off the event loop: a
 * disk that stalls holds up whoever waits for this call, never the node's
 * other fibers. An error becomes a DiskError naming the call and the path.
 */
const call = <A>(operation: string, target: string, start: (done: (error: Error | null, result: A) => void) => void) =>
  Effect.async<A, DiskError>((resume) => {
    start((error, result) => resume(error === null ? Effect.succeed(result) : Effect.fail(failure(operation, target, error))))
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
  read: (position, maxBytes) => {
    const buffer = Buffer.alloc(maxBytes)
    return call<number>("read", target, (done) => fs.read(fd, buffer, 0, maxBytes, position, done)).pipe(
      Effect.map((bytesRead) => buffer.subarray(0, bytesRead))
    )
  },
  write: (bytes, position) => call<number>("write", target, (done) => fs.write(fd, bytes, 0, bytes.length, position, done)),
  fsync: Effect.zipLeft(call<void>("fsync", target, (done) => fs.fsync(fd, (error) => done(error, undefined))), Metric.increment(fsyncs)),
  truncate: (length) => call<void>("truncate", target, (done) => fs.ftruncate(fd, length, (error) => done(error, undefined)))
})

const openWith = (target: string, flags: string) => call<number>("open", target, (done) => fs.open(target, flags, done))

/** Opens for reading and writing; creates the file only when it does not exist. */
const openOrCreate = (target: string) =>
  Effect.map(openWith(target, "r+"), (fd) => ({ fd, created: false })).pipe(
    Effect.catchIf(
      (error) => error.code === "ENOENT",
      () =>
        Effect.map(
          call<number>("create", target, (done) => fs.open(target, "wx+", done)),
          (fd) => ({ fd, created: true })
        )
    )
  )

/** Links followed before giving up, as the kernel's own limit (ELOOP). */
const maxLinks = 40

/** Follows symbolic links from `target` to the path the last one names (it need not exist). */
const resolveLinks = (target: string): Effect.Effect<string, DiskError> =>
  Effect.gen(function*() {
    let current = path.resolve(target)
    for (let hops = 0; hops <= maxLinks; hops++) {
      const stats = yield* call<fs.Stats | undefined>("lstat", current,
        (done) => fs.lstat(current, (error, stats) => error?.code === "ENOENT" ? done(null, undefined) : done(error, stats)))
      if (stats === undefined || !stats.isSymbolicLink()) return current
      const link = current
      const named = yield* call<string>("readlink", link, (done) => fs.readlink(link, done))
      current = path.resolve(path.dirname(link), named)
    }
    return yield* new DiskError({ reason: `resolve ${target}: more than ${maxLinks} symbolic links in a row`, code: "ELOOP" })
  })

const close = (fd: number) => Effect.async<void>((resume) => fs.close(fd, () => resume(Effect.void)))

/** The machine's own file system, through node:fs. */
export const NodeDisk = Layer.succeed(Disk, {
  createDirectory: (directory) =>
    call<string | undefined>("mkdir", directory, (done) => fs.mkdir(directory, { recursive: true }, done)).pipe(
      Effect.map((first) => createdBetween(first, directory))
    ),
  open: (target) =>
    Effect.acquireRelease(openOrCreate(target), ({ fd }) => close(fd)).pipe(
      Effect.map(({ created, fd }) => ({ file: fileAt(fd, target), created }))
    ),
  resolveLinks,
  rename: (from, to) => call<void>("rename", `${from} to ${to}`, (done) => fs.rename(from, to, (error) => done(error, undefined))),
  fsyncDirectory: (directory) =>
    Effect.acquireUseRelease(
      openWith(directory, "r"),
      (fd) => call<void>("fsync directory", directory, (done) => fs.fsync(fd, (error) => done(error, undefined))),
      close
    ).pipe(Effect.zipLeft(Metric.increment(fsyncs)))
})
