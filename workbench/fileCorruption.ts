import { FileSystem, Path } from "@effect/platform"
import { Data, Effect, Option, Random } from "effect"

/**
 * What the corrupt nemesis does to a killed node's data directory, as
 * Jepsen's file-corruption faults do: cut off the last part of each file,
 * flip a bit at a random offset of each file, or remove the directory.
 */
export const corruptionKinds = ["truncate", "bitflip", "wipe"] as const
export type CorruptionKind = (typeof corruptionKinds)[number]

/** One file changed: which, where and how much. */
export interface FileDamage {
  /** Relative to the node's working directory. */
  readonly file: string
  /** truncate: the length the file was cut to; bitflip: the byte flipped; wipe: 0. */
  readonly offset: number
  /** truncate: the bytes cut off; bitflip: 1; wipe: the file's whole length. */
  readonly bytes: number
  /** bitflip: the bit flipped in that byte, 0 the lowest. */
  readonly bit?: number
}

/** What one strike did to one node's files; `files` is empty when its data directory held none. */
export interface FileCorruption {
  readonly node: string
  readonly kind: CorruptionKind
  /** The data directory, relative to the node's working directory. */
  readonly directory: string
  readonly files: ReadonlyArray<FileDamage>
}

/** The files could not be read or changed as the strike meant to. */
export class CorruptionError extends Data.TaggedError("CorruptionError")<{ readonly message: string }> {}

interface FoundFile {
  readonly file: string
  readonly absolute: string
  readonly size: number
}

/**
 * Every regular file under the data directory, in name order, with its
 * length; none when the directory does not exist (a node that kept nothing
 * there). Symbolic links are left alone: they may lead out of the node's
 * directory, and only the node's own files are to be damaged.
 */
const regularFiles = (workDir: string, directory: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const root = path.join(workDir, directory)
    if (!(yield* fs.exists(root))) return []
    const found: Array<FoundFile> = []
    for (const entry of (yield* fs.readDirectory(root, { recursive: true })).sort()) {
      const absolute = path.join(root, entry)
      if (yield* Effect.isSuccess(fs.readLink(absolute))) continue
      const info = yield* fs.stat(absolute)
      if (info.type === "File") found.push({ file: path.join(directory, entry), absolute, size: Number(info.size) })
    }
    return found
  })

/** Flips one bit of one byte in place; the rest of the file is untouched. */
const flipBit = (absolute: string, offset: number, bit: number) =>
  Effect.scoped(Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const file = yield* fs.open(absolute, { flag: "r+" })
    yield* file.seek(offset, "start")
    const byte = yield* file.readAlloc(1)
    if (Option.isNone(byte) || byte.value.length === 0) {
      return yield* new CorruptionError({ message: `${absolute} has no byte ${offset} any more` })
    }
    yield* file.seek(offset, "start")
    yield* file.writeAll(Uint8Array.of(byte.value[0]! ^ (1 << bit)))
  }))

/**
 * Damages the files of a node that is down, in `directory` (relative to its
 * working directory `workDir`). The offsets are drawn from Effect's Random,
 * so a seed replays them for the same files.
 */
export const corruptFiles = (options: {
  readonly node: string
  readonly kind: CorruptionKind
  readonly workDir: string
  readonly directory: string
}): Effect.Effect<FileCorruption, CorruptionError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const { directory, kind, node, workDir } = options
    const files = yield* regularFiles(workDir, directory)
    const damaged: Array<FileDamage> = []
    switch (kind) {
      case "truncate":
        for (const { absolute, file, size } of files.filter((f) => f.size > 0)) {
          // Anything from one byte to the whole file goes: a short cut looks like a torn write, a long one like lost writes.
          const length = yield* Random.nextIntBetween(0, size)
          yield* fs.truncate(absolute, length)
          damaged.push({ file, offset: length, bytes: size - length })
        }
        break
      case "bitflip":
        for (const { absolute, file, size } of files.filter((f) => f.size > 0)) {
          const offset = yield* Random.nextIntBetween(0, size)
          const bit = yield* Random.nextIntBetween(0, 8)
          yield* flipBit(absolute, offset, bit)
          damaged.push({ file, offset, bytes: 1, bit })
        }
        break
      case "wipe":
        for (const { file, size } of files) damaged.push({ file, offset: 0, bytes: size })
        yield* fs.remove(path.join(workDir, directory), { recursive: true, force: true })
        break
    }
    return { node, kind, directory, files: damaged } satisfies FileCorruption
  }).pipe(
    Effect.mapError((error) =>
      error._tag === "CorruptionError"
        ? error
        : new CorruptionError({ message: `${options.node}: could not ${options.kind} its files: ${error.message}` })
    )
  )

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`

/** The strike in a few words, for the fault's description: the node, and what happened to which file. */
export const describeCorruption = ({ directory, files, kind, node }: FileCorruption): string => {
  if (kind === "wipe") {
    const bytes = files.reduce((sum, f) => sum + f.bytes, 0)
    return `${node} killed, ${directory} wiped (${plural(files.length, "file")}, ${plural(bytes, "byte")})`
  }
  if (files.length === 0) return `${node} killed, no file in ${directory} to ${kind}`
  const each = files.map((f) =>
    kind === "truncate" ? `${f.file} cut to ${plural(f.offset, "byte")} (${f.bytes} dropped)`
      : `bit ${f.bit} of byte ${f.offset} of ${f.file} flipped`
  )
  return `${node} killed, ${each.join(", ")}`
}
