import { MAX_PATH_HASHES, nodeHash, split } from './merkle.ts'

/**
 * Several leaves of one signed batch, proven together: the hashes of the
 * subtrees that hold none of them (left to right), which with the leaves
 * themselves give the root. For k leaves of an n-leaf batch that is at most
 * n − k hashes and at most k·log2(n), and far fewer when the leaves sit side
 * by side (a flush of reports, copied into one record of cache entries): the
 * audit paths they replace would carry the same upper nodes once per leaf.
 * Same tree shape as `merkle.ts` (RFC 9162).
 */

/** A leaf's index in its batch and its audit path, deepest sibling first (`buildTree`). */
export interface ProvenLeaf {
  readonly index: number
  readonly path: readonly Uint8Array[]
}

/**
 * The multiproof of `leaves` (distinct, sorted by index) of a `size`-leaf
 * batch, taken from their audit paths. The paths must be valid for one root;
 * a path too short for its leaf's depth gives undefined.
 */
export function multiproofFromPaths(size: number, leaves: readonly ProvenLeaf[]): Uint8Array[] | undefined {
  if (!validLeaves(size, leaves.map((leaf) => leaf.index))) return undefined
  const nodes: Uint8Array[] = []
  let broken = false
  // lo..hi holds no chosen leaf: its hash is the sibling that any chosen leaf of its sibling range carries at that depth.
  const walk = (lo: number, hi: number, depth: number, first: number, end: number, sibling: ProvenLeaf | undefined): void => {
    if (first === end) {
      const path = sibling?.path
      const at = path === undefined ? -1 : path.length - depth
      if (path === undefined || at < 0 || at >= path.length) broken = true
      else nodes.push(path[at]!)
      return
    }
    if (hi - lo === 1) return
    const mid = lo + split(hi - lo)
    let cut = first
    while (cut < end && leaves[cut]!.index < mid) cut++
    walk(lo, mid, depth + 1, first, cut, leaves[cut])
    walk(mid, hi, depth + 1, cut, end, leaves[first])
  }
  walk(0, size, 0, 0, leaves.length, undefined)
  return broken ? undefined : nodes
}

/**
 * The root that `leaves` (leaf hashes by index, distinct and sorted) and the
 * multiproof `nodes` lead to in a `size`-leaf batch, with each leaf's audit
 * path rebuilt (deepest sibling first); undefined when `nodes` has the wrong
 * count. Never throws.
 */
export function rootFromMultiproof(
  size: number,
  leaves: ReadonlyArray<{ readonly index: number; readonly hash: Uint8Array }>,
  nodes: readonly Uint8Array[],
): { root: Uint8Array; paths: Uint8Array[][] } | undefined {
  if (!validLeaves(size, leaves.map((leaf) => leaf.index)) || nodes.length > size) return undefined
  const paths: Uint8Array[][] = leaves.map(() => [])
  let next = 0
  const walk = (lo: number, hi: number, depth: number, first: number, end: number): Uint8Array | undefined => {
    if (depth > MAX_PATH_HASHES) return undefined
    if (first === end) return nodes[next++]
    if (hi - lo === 1) return leaves[first]!.hash
    const mid = lo + split(hi - lo)
    let cut = first
    while (cut < end && leaves[cut]!.index < mid) cut++
    const left = walk(lo, mid, depth + 1, first, cut)
    const right = left === undefined ? undefined : walk(mid, hi, depth + 1, cut, end)
    if (left === undefined || right === undefined) return undefined
    for (let i = first; i < cut; i++) paths[i]!.push(right)
    for (let i = cut; i < end; i++) paths[i]!.push(left)
    return nodeHash(left, right)
  }
  const root = walk(0, size, 0, 0, leaves.length)
  return root === undefined || next !== nodes.length ? undefined : { root, paths }
}

function validLeaves(size: number, indices: readonly number[]): boolean {
  if (!Number.isSafeInteger(size) || size < 1 || indices.length === 0 || indices.length > size) return false
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i]!
    if (!Number.isSafeInteger(index) || index < 0 || index >= size || (i > 0 && index <= indices[i - 1]!)) return false
  }
  return true
}
