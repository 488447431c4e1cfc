/**
 * What the linearizability search (search.ts) needs to know of the object
 * it checks histories against: ops encoded as integers, states as integers.
 * The compare-and-set register (model.ts) is one such object, the counter
 * (counter/model.ts) another.
 */

/** No state: the op is not legal in the given state. */
export const ILLEGAL = -1

/** Positions of returns that never came: an indeterminate op may take effect arbitrarily late. */
export const NEVER = 0x7fffffff

/**
 * A sequential object over states that are integers in [0, 2^30) (the
 * search's memo keeps a state and a flag in one 32-bit integer).
 */
export interface SearchModel {
  readonly initial: number
  /** The state after an encoded op, or ILLEGAL when the op cannot happen in `state`. */
  readonly step: (state: number, kind: number, a: number, b: number) => number
  /** True when the op never changes the state (a read): the search may linearize it as soon as it is legal. */
  readonly preservesState: (kind: number, a: number, b: number) => boolean
  /**
   * True when ops of this kind make the state before them unobservable (a
   * register's write): an indeterminate op right before one is pointless,
   * so the search never places one there.
   */
  readonly overwrites: (kind: number) => boolean
}

/**
 * One object's operations, encoded, in invoke order: op i is (kind[i], a[i],
 * b[i]), invoked at history position call[i] and returned at ret[i] (NEVER
 * for an indeterminate op).
 */
export interface SearchProblem {
  readonly model: SearchModel
  readonly size: number
  readonly kind: Int8Array
  readonly a: Int32Array
  readonly b: Int32Array
  readonly call: Int32Array
  readonly ret: Int32Array
}
