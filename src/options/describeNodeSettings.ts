import * as path from "node:path"
import { Option } from "effect"
import type { NodeId } from "../protocol/envelope.js"
import { quotaParameter, raftParameters, readModeParameter } from "./nodeParameters.js"
import type { NodeSettings } from "./nodeSettings.js"

/**
 * The line a node logs once at start, so that an operator sees their flags
 * took effect: which log it keeps (FileLog's file, `<dir>/<node id>.log`, as
 * an absolute path), the store's quota and every Raft parameter in force, by flag.
 */
export const describeNodeSettings = (settings: NodeSettings, self: NodeId): string => {
  const log = Option.match(settings.dataDir, {
    onNone: () => "log in memory (lost when the process ends)",
    onSome: (directory) => `log in ${path.resolve(directory, `${self}.log`)}`
  })
  const limits = raftParameters.map(({ flag, key }) => `${flag} ${settings.raft[key]}`).join(" ")
  return `${self} runs with its ${log}; ${quotaParameter.flag} ${settings.quotaBytes} ${limits} ` +
    `${readModeParameter.flag} ${settings.raft.readMode}`
}
