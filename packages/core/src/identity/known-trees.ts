import { HASH_BYTES, MAX_PATH_HASHES, nodeHash, split } from './merkle.ts'

/**
 * Node hashes of Merkle trees whose root signature a reader has already
 * checked, so the next leaf of the same batch costs its leaf hash and a few
 * lookups instead of a whole audit path of hashes. A reader meets each report
 * of a batch one by one; with every path hashed in full, that hashing was most
 * of a process's time in the signature path of the dispatch bench (9 SHA-256
 * per report for batches of ~150), far above the signature checks themselves.
 *
 * The answer never changes: `climb` returns the root that `rootFromPath`
 * would, and only skips hashing a node whose two children are exactly the
 * hashes already recorded for that tree at those places, taking the recorded
 * parent instead. Records are made only of climbs whose root was then proven
 * signed (`remember`), so, short of a SHA-256 collision, each recorded hash is
 * the one node of the signed tree at that place. A tampered leaf or path
 * differs from the record somewhere, is hashed from there up as before, and
 * reaches another root, which its signature check refuses.
 */
export interface Climb {
  /** The root this leaf and path lead to: always `rootFromPath`'s answer. */
  readonly root: Uint8Array
  /** The root is this tree's recorded root: its signature was checked when it was recorded. */
  readonly rootKnown: boolean
  /** Node hashes computed or given on the way, by place: `remember` records them once the root is proven or known. */
  readonly nodes: ReadonlyArray<readonly [place: number, hash: Uint8Array]>
  /** Node hashes computed, for tests and measurements. */
  readonly hashed: number
}

/** Trees larger than this are climbed without records: a node's place (first leaf, end) must fit one safe integer. */
const MAX_RECORDED_SIZE = 1 << 26

// Scratch for one climb's levels (climbs are synchronous and never nested): a node's range is [lo, hi), split at mid.
const levelLo = new Float64Array(MAX_PATH_HASHES)
const levelHi = new Float64Array(MAX_PATH_HASHES)
const levelMid = new Float64Array(MAX_PATH_HASHES)

export class KnownTrees {
  readonly #trees = new Map<string, Map<number, Uint8Array>>()
  #nodes = 0

  /** `maxNodes` bounds the memory: past it the oldest half of the trees go. */
  constructor(private readonly maxNodes: number) {}

  /** The root leaf `index` of `tree` (a `size`-leaf tree, named by the caller) leads to with this audit path, as `rootFromPath` gives it, or undefined when the path has the wrong length. */
  climb(tree: string, leaf: Uint8Array, index: number, size: number, path: readonly Uint8Array[]): Climb | undefined {
    if (!Number.isInteger(index) || !Number.isInteger(size) || index < 0 || index >= size || path.length > MAX_PATH_HASHES) return undefined
    // Top down, exactly as rootFromPath walks it: each level's range and split; level i's sibling is path[depth - 1 - i].
    let depth = 0
    let lo = 0
    let hi = size
    while (hi - lo > 1) {
      if (depth === path.length) return undefined
      const mid = lo + split(hi - lo)
      levelLo[depth] = lo
      levelHi[depth] = hi
      levelMid[depth] = mid
      depth++
      if (index < mid) hi = mid
      else lo = mid
    }
    if (depth !== path.length) return undefined
    const known = size <= MAX_RECORDED_SIZE ? this.#trees.get(tree) : undefined
    const width = size + 1
    // Bottom up: a node whose children both match the record is the recorded parent; any other is hashed.
    let hash = leaf
    let matches = known !== undefined && same(known.get(index * width + index + 1), leaf)
    let hashed = 0
    const nodes: Array<readonly [number, Uint8Array]> = [[index * width + index + 1, leaf]]
    for (let i = depth - 1; i >= 0; i--) {
      const from = levelLo[i]!
      const to = levelHi[i]!
      const mid = levelMid[i]!
      const sibling = path[depth - 1 - i]!
      const left = index < mid
      const siblingPlace = left ? mid * width + to : from * width + mid
      const parentPlace = from * width + to
      const recorded = matches && known !== undefined && same(known.get(siblingPlace), sibling) ? known.get(parentPlace) : undefined
      if (recorded !== undefined) hash = recorded
      else {
        hash = left ? nodeHash(hash, sibling) : nodeHash(sibling, hash)
        hashed++
        // A hashed node that matches the record lets the climb take recorded parents from here on.
        matches = known !== undefined && same(known.get(parentPlace), hash)
      }
      nodes.push([siblingPlace, sibling], [parentPlace, hash])
    }
    return { root: hash, rootKnown: matches, nodes, hashed }
  }

  /** Records a climb's nodes as `tree`'s, once its root is proven signed (or was known: then the new nodes led to recorded ones). */
  remember(tree: string, size: number, climb: Climb): void {
    if (size > MAX_RECORDED_SIZE) return
    let nodes = this.#trees.get(tree)
    if (nodes === undefined) this.#trees.set(tree, (nodes = new Map()))
    for (const [place, hash] of climb.nodes) {
      if (nodes.has(place)) continue
      // A copy: a path's hashes are views of the whole proof's bytes.
      nodes.set(place, hash.slice())
      this.#nodes++
    }
    if (this.#nodes > this.maxNodes) this.#forgetOldest()
  }

  /**
   * Whether `signed` holds for the root of the tree of these leaf hashes (a
   * whole batch checked at once, `verifyStatements`); if so, every node is
   * recorded as `tree`'s, so that later single proofs of the batch (cache
   * entries carrying a submitter's verdict proofs) hash only their leaf.
   */
  checkWhole(tree: string, leaves: readonly Uint8Array[], signed: (root: Uint8Array) => boolean): boolean {
    const size = leaves.length
    const width = size + 1
    const nodes = new Map<number, Uint8Array>()
    const build = (lo: number, hi: number): Uint8Array => {
      const mid = lo + split(hi - lo)
      const hash = hi - lo === 1 ? (leaves[lo] as Uint8Array) : nodeHash(build(lo, mid), build(mid, hi))
      nodes.set(lo * width + hi, hash)
      return hash
    }
    if (size === 0 || !signed(build(0, size))) return false
    if (size <= MAX_RECORDED_SIZE) {
      // Climbs of single proofs may have recorded part of the tree already: the rest joins it.
      const known = this.#trees.get(tree)
      if (known === undefined) {
        this.#trees.set(tree, nodes)
        this.#nodes += nodes.size
      } else {
        for (const [place, hash] of nodes) {
          if (known.has(place)) continue
          known.set(place, hash)
          this.#nodes++
        }
      }
      if (this.#nodes > this.maxNodes) this.#forgetOldest()
    }
    return true
  }

  /** The audit path of leaf `index` of a recorded `size`-leaf tree, deepest sibling first (as `buildTree` gives it), or undefined when a node is not recorded. */
  pathOf(tree: string, index: number, size: number): Uint8Array[] | undefined {
    const known = this.#trees.get(tree)
    if (known === undefined || !Number.isInteger(index) || index < 0 || index >= size) return undefined
    const width = size + 1
    const path: Uint8Array[] = []
    let lo = 0
    let hi = size
    while (hi - lo > 1) {
      const mid = lo + split(hi - lo)
      const sibling = index < mid ? known.get(mid * width + hi) : known.get(lo * width + mid)
      if (sibling === undefined) return undefined
      path.push(sibling)
      if (index < mid) hi = mid
      else lo = mid
    }
    return path.reverse()
  }

  #forgetOldest(): void {
    for (const [tree, nodes] of this.#trees) {
      if (this.#nodes <= this.maxNodes / 2) return
      this.#trees.delete(tree)
      this.#nodes -= nodes.size
    }
  }
}

function same(a: Uint8Array | undefined, b: Uint8Array): boolean {
  if (a === undefined || a.byteLength !== HASH_BYTES || b.byteLength !== HASH_BYTES) return false
  for (let i = 0; i < HASH_BYTES; i++) if (a[i] !== b[i]) return false
  return true
}
