import { describe, expect, it } from 'vitest'
import { KnownTrees } from '../src/identity/known-trees.ts'
import { buildTree, leafHash, rootFromPath } from '../src/identity/merkle.ts'

const leavesOf = (size: number, salt = 0): Uint8Array[] => Array.from({ length: size }, (_, i) => leafHash(new TextEncoder().encode(`leaf ${salt} ${i}`)))
const flipped = (bytes: Uint8Array, at = 0): Uint8Array => {
  const copy = bytes.slice()
  copy[at % copy.byteLength] = copy[at % copy.byteLength]! ^ 1
  return copy
}
const equal = (a: Uint8Array | undefined, b: Uint8Array | undefined): boolean => a !== undefined && b !== undefined && a.byteLength === b.byteLength && a.every((x, i) => x === b[i])

/** A seeded shuffle, so a failure names its order. */
function shuffled(n: number, seed: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i)
  let state = seed
  for (let i = n - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31
    const j = state % (i + 1)
    ;[order[i], order[j]] = [order[j]!, order[i]!]
  }
  return order
}

/** What a verifier does: climb, and record the climb only when its root and size are the signed ones (the size is in the signed message). */
function verify(known: KnownTrees, signed: { root: Uint8Array; size: number }, leaf: Uint8Array, index: number, size: number, path: readonly Uint8Array[], tree = `batch of ${size}`): { ok: boolean; hashed: number } {
  const climb = known.climb(tree, leaf, index, size, path)
  // The one invariant: records never change the root a leaf and path lead to.
  const full = rootFromPath(leaf, index, size, path)
  expect(climb === undefined ? full === undefined : equal(climb.root, full)).toBe(true)
  if (climb === undefined) return { ok: false, hashed: 0 }
  const ok = equal(climb.root, signed.root) && size === signed.size
  if (climb.rootKnown) expect(ok).toBe(true)
  if (ok) known.remember(tree, size, climb)
  return { ok, hashed: climb.hashed }
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')

describe('known Merkle trees: proven nodes spare the hashing, never the answer', () => {
  it('every leaf of a batch, in any order, leads to the same root as a full climb; every tampered leaf, path, place or size is refused', () => {
    for (const [size, seed] of [[1, 1], [2, 2], [3, 3], [5, 4], [8, 5], [13, 6], [100, 7], [257, 8]] as const) {
      const known = new KnownTrees(1 << 16)
      const leaves = leavesOf(size)
      const { root, paths } = buildTree(leaves)
      for (const i of shuffled(size, seed)) {
        const path = paths[i]!
        expect(verify(known, { root, size }, leaves[i]!, i, size, path).ok).toBe(true)
        // Tampering, with the rest of the tree already recorded: each is refused, none is taken for known.
        expect(verify(known, { root, size }, flipped(leaves[i]!), i, size, path).ok).toBe(false)
        path.forEach((_, level) => expect(verify(known, { root, size }, leaves[i]!, i, size, path.map((h, l) => (l === level ? flipped(h, level) : h))).ok).toBe(false))
        if (size > 1) expect(verify(known, { root, size }, leaves[i]!, (i + 1) % size, size, path).ok).toBe(false)
        if (size > 1) expect(verify(known, { root, size }, leaves[(i + 1) % size]!, i, size, path).ok).toBe(false)
        expect(verify(known, { root, size }, leaves[i]!, i, size + 1, path).ok).toBe(false)
        expect(verify(known, { root, size }, leaves[i]!, i, size, [...path, root]).ok).toBe(false)
        if (path.length > 0) expect(verify(known, { root, size }, leaves[i]!, i, size, path.slice(1)).ok).toBe(false)
      }
    }
  })

  it('a batch of 256 read leaf by leaf hashes each inner node once (255 hashes) instead of eight a leaf (2,048)', () => {
    const size = 256
    const leaves = leavesOf(size)
    const { root, paths } = buildTree(leaves)
    const count = (known: KnownTrees, order: readonly number[]): number => order.reduce((n, i) => n + verify(known, { root, size }, leaves[i]!, i, size, paths[i]!).hashed, 0)
    const inOrder = count(new KnownTrees(1 << 16), shuffled(size, 0).sort((a, b) => a - b))
    const anyOrder = count(new KnownTrees(1 << 16), shuffled(size, 42))
    // Without records: 8 hashes a leaf, 2,048 in all. With them each inner node is hashed once, in any order.
    expect(count(new KnownTrees(0), shuffled(size, 42))).toBe(size * 8)
    expect(inOrder).toBe(size - 1)
    expect(anyOrder).toBe(size - 1)
    console.log(`[known trees] 256-leaf batch: ${inOrder} node hashes in leaf order, ${anyOrder} in a shuffled order, against ${size * 8} without records`)
  })

  it('a batch checked whole records every node: each of its proofs then hashes nothing; a refused root records nothing', () => {
    for (const size of [1, 2, 3, 140, 257]) {
      const leaves = leavesOf(size, size)
      const { root, paths } = buildTree(leaves)
      const known = new KnownTrees(1 << 16)
      expect(known.checkWhole(`forged ${size}`, leaves, () => false)).toBe(false)
      expect(known.climb(`forged ${size}`, leaves[0]!, 0, size, paths[0]!)?.rootKnown).toBe(false)
      expect(known.checkWhole(`batch of ${size}`, leaves, (r) => equal(r, root))).toBe(true)
      for (const i of shuffled(size, size)) {
        const climb = known.climb(`batch of ${size}`, leaves[i]!, i, size, paths[i]!)
        expect(climb?.hashed).toBe(0)
        expect(climb?.rootKnown).toBe(true)
        expect(equal(climb?.root, root)).toBe(true)
      }
      // A tampered leaf still climbs to another root.
      if (size > 1) expect(verify(known, { root, size }, flipped(leaves[1]!), 1, size, paths[1]!).ok).toBe(false)
    }
  })

  it('gives back the audit path buildTree gave each leaf of a batch checked whole, after single climbs too; none for an unknown tree', () => {
    for (const size of [1, 2, 3, 5, 140, 257]) {
      const leaves = leavesOf(size, size + 1)
      const { root, paths } = buildTree(leaves)
      const known = new KnownTrees(1 << 16)
      expect(known.pathOf(`batch of ${size}`, 0, size)).toBeUndefined()
      // A single proof climbed first records part of the tree; checking the whole batch fills in the rest.
      const first = known.climb(`batch of ${size}`, leaves[size - 1]!, size - 1, size, paths[size - 1]!)!
      known.remember(`batch of ${size}`, size, first)
      expect(known.checkWhole(`batch of ${size}`, leaves, (r) => equal(r, root))).toBe(true)
      for (let i = 0; i < size; i++) {
        const path = known.pathOf(`batch of ${size}`, i, size)
        expect(path?.map(hex), `leaf ${i} of ${size}`).toEqual(paths[i]!.map(hex))
      }
      expect(known.pathOf(`batch of ${size}`, size, size)).toBeUndefined()
    }
  })

  it('records serve only their own tree: another tree with the same leaves, or another batch, is climbed in full', () => {
    const known = new KnownTrees(1 << 16)
    const size = 16
    const leaves = leavesOf(size)
    const { root, paths } = buildTree(leaves)
    for (let i = 0; i < size; i++) verify(known, { root, size }, leaves[i]!, i, size, paths[i]!, 'mine')
    const other = known.climb('someone else', leaves[3]!, 3, size, paths[3]!)
    expect(other?.rootKnown).toBe(false)
    expect(other?.hashed).toBe(4)
    const forged = leavesOf(size, 1)
    const forgedTree = buildTree(forged)
    const climb = known.climb('mine', forged[3]!, 3, size, forgedTree.paths[3]!)
    expect(climb?.rootKnown).toBe(false)
    expect(equal(climb?.root, forgedTree.root)).toBe(true)
  })

  it('stays within its bound, forgetting the oldest trees first, and still answers the same', () => {
    const known = new KnownTrees(64)
    const trees = Array.from({ length: 10 }, (_, t) => ({ name: `batch ${t}`, leaves: leavesOf(16, t) }))
    for (const { name, leaves } of trees) {
      const { root, paths } = buildTree(leaves)
      leaves.forEach((leaf, i) => expect(verify(known, { root, size: leaves.length }, leaf, i, leaves.length, paths[i]!, name).ok).toBe(true))
    }
    // 16 leaves make 31 nodes: the newest tree is still recorded, the first long gone.
    const newest = trees[9]!
    const first = trees[0]!
    const newestTree = buildTree(newest.leaves)
    const firstTree = buildTree(first.leaves)
    expect(known.climb(newest.name, newest.leaves[5]!, 5, 16, newestTree.paths[5]!)?.rootKnown).toBe(true)
    const forgotten = known.climb(first.name, first.leaves[5]!, 5, 16, firstTree.paths[5]!)
    expect(forgotten?.rootKnown).toBe(false)
    expect(equal(forgotten?.root, firstTree.root)).toBe(true)
  })
})
