import { FileSystem, Path } from "@effect/platform"
import { Effect } from "effect"

/** `20261126T105501.123Z`: sortable, and safe in a path on every system. */
export const timestampName = (millis: number): string => new Date(millis).toISOString().replace(/[-:]/g, "")

/** `store/<workload>/<timestamp>/` with its `node-logs/` folder, created fresh. */
export const createRunDirectory = (storeDir: string, workload: string, millis: number) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    let dir = path.resolve(storeDir, workload, timestampName(millis))
    // Two runs in the same millisecond (--test-count) still get their own folder.
    for (let n = 2; yield* fs.exists(dir); n++) dir = path.resolve(storeDir, workload, `${timestampName(millis)}-${n}`)
    yield* fs.makeDirectory(path.join(dir, "node-logs"), { recursive: true })
    return dir
  })

/** Points `store/latest` at a run folder (replacing the link in one rename, never leaving none). */
export const pointLatestAt = (storeDir: string, runDir: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const link = path.resolve(storeDir, "latest")
    const staging = `${link}.${path.basename(runDir)}.tmp`
    yield* fs.remove(staging, { force: true })
    yield* fs.symlink(path.relative(path.dirname(link), runDir), staging)
    yield* fs.rename(staging, link)
  })
