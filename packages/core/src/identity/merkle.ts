import { sha256Tagged, sha256TaggedText } from './sha256-small.ts'

/**
 * A Merkle tree over a batch of records, as RFC 9162 (Certificate
 * Transparency 2.0) defines it: one signature covers a whole batch, and each
 * record carries its audit path, so any reader checks one record alone with
 * log2(batch) hashes and one remembered signature verification. Leaves and
 * inner nodes hash under different prefixes, so no inner node passes for a leaf.
 */
export const HASH_BYTES = 32
/** Deeper paths than this are refused: batches are far smaller than 2^32. */
export const MAX_PATH_HASHES = 32

export function leafHash(bytes: Uint8Array): Uint8Array {
  return sha256Tagged(0, bytes)
}

/** The leaf hash of `text`'s UTF-8 bytes (a signed statement), without encoding them first. */
export function textLeafHash(text: string): Uint8Array {
  return sha256TaggedText(0, text)
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256Tagged(1, left, right)
}

/** The largest power of two below `n` (n ≥ 2). */
export function split(n: number): number {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}

/** The root of a tree over `leaves` (leaf hashes) and every leaf's audit path, deepest sibling first. */
export function buildTree(leaves: readonly Uint8Array[]): { root: Uint8Array; paths: Uint8Array[][] } {
  if (leaves.length === 0) throw new RangeError('a Merkle tree needs at least one leaf')
  const paths: Uint8Array[][] = leaves.map(() => [])
  const build = (lo: number, hi: number): Uint8Array => {
    if (hi - lo === 1) return leaves[lo]!
    const mid = lo + split(hi - lo)
    const left = build(lo, mid)
    const right = build(mid, hi)
    for (let i = lo; i < mid; i++) paths[i]!.push(right)
    for (let i = mid; i < hi; i++) paths[i]!.push(left)
    return nodeHash(left, right)
  }
  return { root: build(0, leaves.length), paths }
}

/** The root that leaf `index` of a `size`-leaf tree with this audit path leads to, or undefined when the path has the wrong length. */
export function rootFromPath(leaf: Uint8Array, index: number, size: number, path: readonly Uint8Array[]): Uint8Array | undefined {
  if (!Number.isInteger(index) || !Number.isInteger(size) || index < 0 || index >= size || path.length > MAX_PATH_HASHES) return undefined
  const climb = (lo: number, hi: number, end: number): Uint8Array | undefined => {
    if (hi - lo === 1) return end === 0 ? leaf : undefined
    if (end === 0) return undefined
    const mid = lo + split(hi - lo)
    const sibling = path[end - 1]!
    if (index < mid) {
      const below = climb(lo, mid, end - 1)
      return below === undefined ? undefined : nodeHash(below, sibling)
    }
    const below = climb(mid, hi, end - 1)
    return below === undefined ? undefined : nodeHash(sibling, below)
  }
  return climb(0, size, path.length)
}
