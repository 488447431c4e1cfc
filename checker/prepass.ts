import { ABSENT, CAS, READ, type RegisterProblem, restrictProblem, WRITE } from "./model.js"
import { NEVER } from "./searchModel.js"

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

/**
 * Leaves out indeterminate writes and cas whose result no op ever needs: no
 * read of that value, no cas from it. In any linearization that includes
 * such an op, the next op (if any) must be a write, since nothing else is
 * legal in that state; so the op can be removed and the rest stays valid.
 * Removing a cas removes its need for its `from` value, which may make more
 * ops removable: repeated until nothing changes.
 */
export const withoutUnobservedIndeterminate = (p: RegisterProblem): RegisterProblem => {
  const needs = new Map<number, number>()
  const need = (value: number, delta: number) => needs.set(value, (needs.get(value) ?? 0) + delta)
  for (let i = 0; i < p.size; i++) {
    if (p.kind[i] === READ) {
      need(p.a[i]!, 1)
      if (p.b[i]! >= 0) need(p.b[i]!, 1)
    } else if (p.kind[i] === CAS) need(p.a[i]!, 1)
  }
  const keep = new Array<boolean>(p.size).fill(true)
  let dropped = 0
  for (let changed = true; changed;) {
    changed = false
    for (let i = 0; i < p.size; i++) {
      if (!keep[i] || p.ret[i] !== NEVER || p.kind[i] === READ) continue
      const produced = p.kind[i] === WRITE ? p.a[i]! : p.b[i]!
      if ((needs.get(produced) ?? 0) > 0) continue
      keep[i] = false
      dropped++
      changed = true
      if (p.kind[i] === CAS) need(p.a[i]!, -1)
    }
  }
  return dropped === 0 ? p : restrictProblem(p, keep)
}
