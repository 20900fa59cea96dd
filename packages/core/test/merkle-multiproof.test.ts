import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { multiproofFromPaths, rootFromMultiproof } from '../src/identity/merkle-multiproof.ts'
import { buildTree, leafHash } from '../src/identity/merkle.ts'

const leavesOf = (size: number): Uint8Array[] => Array.from({ length: size }, (_, i) => leafHash(new TextEncoder().encode(`leaf ${i}`)))
const same = (a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean => a.length === b.length && a.every((x, i) => x.every((byte, j) => byte === b[i]![j]))

/** A batch and a chosen, sorted subset of its leaves. */
const batchAndChoice = fc.integer({ min: 1, max: 300 }).chain((size) =>
  fc.tuple(fc.constant(size), fc.uniqueArray(fc.integer({ min: 0, max: size - 1 }), { minLength: 1, maxLength: Math.min(size, 40) })),
)

describe('Merkle multiproofs', () => {
  it('lead from any subset of leaves to the signed root, and rebuild each leaf’s audit path', () => {
    fc.assert(
      fc.property(batchAndChoice, ([size, chosen]) => {
        const leaves = leavesOf(size)
        const { root, paths } = buildTree(leaves)
        const indices = [...chosen].sort((a, b) => a - b)
        const nodes = multiproofFromPaths(size, indices.map((index) => ({ index, path: paths[index]! })))
        expect(nodes).toBeDefined()
        // Never more than the leaves left out, nor more than the paths it replaces.
        expect(nodes!.length).toBeLessThanOrEqual(size - indices.length)
        expect(nodes!.length).toBeLessThanOrEqual(indices.reduce((sum, i) => sum + paths[i]!.length, 0))
        const proven = rootFromMultiproof(size, indices.map((index) => ({ index, hash: leaves[index]! })), nodes!)
        expect(proven).toBeDefined()
        expect(same([proven!.root], [root])).toBe(true)
        indices.forEach((index, i) => expect(same(proven!.paths[i]!, paths[index]!)).toBe(true))
      }),
      { numRuns: 300 },
    )
  })

  it('is short for leaves side by side: 64 of a batch of 64 need no node, 32 in a row of 64 need one', () => {
    const leaves = leavesOf(64)
    const { paths } = buildTree(leaves)
    const all = Array.from({ length: 64 }, (_, index) => ({ index, path: paths[index]! }))
    expect(multiproofFromPaths(64, all)).toEqual([])
    expect(multiproofFromPaths(64, all.slice(32))!.length).toBe(1)
    expect(multiproofFromPaths(64, all.slice(10, 20))!.length).toBeLessThanOrEqual(2 * 6)
  })

  it('leads elsewhere, or nowhere, when a leaf, a node or the count is wrong', () => {
    const size = 37
    const leaves = leavesOf(size)
    const { root, paths } = buildTree(leaves)
    const indices = [2, 3, 17, 30]
    const nodes = multiproofFromPaths(size, indices.map((index) => ({ index, path: paths[index]! })))!
    const chosen = indices.map((index) => ({ index, hash: leaves[index]! }))
    const rootOf = (result: ReturnType<typeof rootFromMultiproof>): Uint8Array[] => (result === undefined ? [] : [result.root])
    expect(same(rootOf(rootFromMultiproof(size, chosen, nodes)), [root])).toBe(true)
    // Another leaf's hash in a chosen place.
    expect(same(rootOf(rootFromMultiproof(size, [chosen[0]!, { index: 3, hash: leaves[4]! }, ...chosen.slice(2)], nodes)), [root])).toBe(false)
    // A node flipped.
    const flipped = nodes.map((node, i) => (i === 1 ? node.map((byte, j) => (j === 0 ? byte ^ 1 : byte)) : node))
    expect(same(rootOf(rootFromMultiproof(size, chosen, flipped)), [root])).toBe(false)
    // One node too many or too few, leaves out of order or repeated, indices out of range.
    expect(rootFromMultiproof(size, chosen, [...nodes, nodes[0]!])).toBeUndefined()
    expect(rootFromMultiproof(size, chosen, nodes.slice(1))).toBeUndefined()
    expect(rootFromMultiproof(size, [chosen[1]!, chosen[0]!, ...chosen.slice(2)], nodes)).toBeUndefined()
    expect(rootFromMultiproof(size, [chosen[0]!, chosen[0]!], nodes)).toBeUndefined()
    expect(rootFromMultiproof(size, [{ index: size, hash: leaves[0]! }], nodes)).toBeUndefined()
    expect(rootFromMultiproof(size, [], nodes)).toBeUndefined()
    // A path too short for its leaf gives no multiproof.
    expect(multiproofFromPaths(size, [{ index: 2, path: paths[2]!.slice(1) }, { index: 30, path: [] }])).toBeUndefined()
  })
})
