import { ABSENT, CAS, NEVER, READ, type RegisterProblem, WRITE } from "./model.js"

/**
 * A sound shortcut before the search: an ok read of v, or an ok cas from v,
 * needs some write of v or cas to v (that did not fail) invoked before it
 * returned, since the register only holds what was put there. Returns the
 * first op (by return) with no such source, or -1. Null reads need no
 * source: the register starts absent.
 */
export const firstUnsourcedOp = (p: RegisterProblem): number => {
  // The two earliest producers of each value: an op may not be its own source.
  const first = new Map<number, number>()
  const second = new Map<number, number>()
  for (let i = 0; i < p.size; i++) {
    const produced = p.kind[i] === WRITE ? p.a[i]! : p.kind[i] === CAS ? p.b[i]! : -1
    if (produced < 0) continue
    if (!first.has(produced)) first.set(produced, i)
    else if (!second.has(produced)) second.set(produced, i)
  }
  let worst = -1
  for (let i = 0; i < p.size; i++) {
    if (p.ret[i] === NEVER) continue
    const needed = p.kind[i] === READ || p.kind[i] === CAS ? p.a[i]! : ABSENT
    if (needed === ABSENT) continue
    let source = first.get(needed)
    if (source === i) source = second.get(needed)
    const sourced = source !== undefined && p.call[source]! < p.ret[i]!
    if (!sourced && (worst < 0 || p.ret[i]! < p.ret[worst]!)) worst = i
  }
  return worst
}
