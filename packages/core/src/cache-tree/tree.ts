import { BlobNotFoundError } from '../errors.ts'
import type { Address, TaskKey } from '../ids.ts'
import { bloomMayHold, bloomOf } from './bloom.ts'
import { keyHash, rankOf } from './key-hash.ts'
import { decodeNode, encodeNode, isLeaf, type ChildRef, type TreeEntry, type TreeNode } from './node.ts'

/**
 * Where nodes live: `get` may fetch from another peer (the mesh's blob
 * store does, and keeps what it fetched); `put` keeps a node this peer made.
 */
export interface NodeStore {
  get(address: Address): Promise<Uint8Array | undefined>
  put(address: Address, bytes: Uint8Array): Promise<void>
}

/** How two entries under one key become one (the cache merge rule); `existing` is the tree's. */
export type MergeEntry = (existing: TreeEntry, incoming: TreeEntry) => TreeEntry

export interface CacheTreeOptions {
  /** log2 of the mean fan-out: a chunk ends after about one key in 2^bits. */
  readonly fanoutBits?: number
  /**
   * Decoded branch nodes kept in memory (their bytes stay in the store): a
   * thousand cover the upper levels of a tree of 10⁶ entries, so most misses
   * decode nothing. Leaves, twenty times larger, are kept a sixteenth as many.
   */
  readonly keepDecoded?: number
}

const DEFAULT_FANOUT_BITS = 5
const DEFAULT_KEEP_DECODED = 1_024

/**
 * A Prolly tree of cached results keyed by task key. Where a chunk ends
 * depends only on the hash of the key it ends at (`rankOf`), so the tree is a
 * function of its set of entries: whoever builds it, in whatever order, gets
 * the same nodes and the same root. Inserting touches only the paths to the
 * leaves that change; a lookup reads one node a level; a miss usually stops
 * at a parent's key range or Bloom filter.
 */
export class CacheTree {
  readonly #fanoutBits: number
  readonly #keepDecoded: number
  readonly #decoded = new Map<Address, TreeNode>()
  readonly #decodedLeaves = new Map<Address, TreeNode>()
  /** Nodes read from the store (fetched or local), as opposed to found decoded in memory. */
  reads = 0

  constructor(
    private readonly store: NodeStore,
    options: CacheTreeOptions = {},
  ) {
    this.#fanoutBits = options.fanoutBits ?? DEFAULT_FANOUT_BITS
    this.#keepDecoded = options.keepDecoded ?? DEFAULT_KEEP_DECODED
  }

  /** The node under `address`, verified against it. Throws `TreeNodeError` or `BlobNotFoundError`. */
  async node(address: Address): Promise<TreeNode> {
    const known = this.#decoded.get(address) ?? this.#decodedLeaves.get(address)
    if (known !== undefined) {
      this.#keep(address, known)
      return known
    }
    const bytes = await this.store.get(address)
    if (bytes === undefined) throw new BlobNotFoundError(`cache tree node ${address} is held by no peer reachable`)
    this.reads++
    const node = decodeNode(address, bytes)
    this.#keep(address, node)
    return node
  }

  /** Most recently used last; the oldest goes once a kind is over its share. */
  #keep(address: Address, node: TreeNode): void {
    const [kept, limit] = isLeaf(node) ? [this.#decodedLeaves, Math.ceil(this.#keepDecoded / 16)] : [this.#decoded, this.#keepDecoded]
    kept.delete(address)
    kept.set(address, node)
    if (kept.size > limit) kept.delete(kept.keys().next().value as Address)
  }

  /** The entry under `key`, as the tree holds it (unchecked: the caller verifies its proofs). */
  async lookup(root: Address, key: TaskKey): Promise<TreeEntry | undefined> {
    let hash: Uint8Array | undefined
    let node = await this.node(root)
    while (!isLeaf(node)) {
      const child = firstAtOrAfter(node.children, key)
      if (child === undefined || key < child.first) return undefined
      if (child.bloom !== undefined && !bloomMayHold(child.bloom, (hash ??= keyHash(key)))) return undefined
      node = await this.node(child.address)
    }
    const entries = node.entries
    let lo = 0
    let hi = entries.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (entries[mid]!.key < key) lo = mid + 1
      else hi = mid
    }
    return entries[lo]?.key === key ? entries[lo] : undefined
  }

  /** The root of the tree with `items` added (merged by `merge` where a key is already there). */
  async insert(root: Address | undefined, items: readonly TreeEntry[], merge: MergeEntry): Promise<Address | undefined> {
    const sorted = sortedUnique(items, merge)
    if (sorted.length === 0) return root
    let level = 0
    let refs: ChildRef[]
    if (root === undefined) refs = await this.#chunkLeaves(sorted)
    else {
      const node = await this.node(root)
      level = node.level
      refs = await this.#rebuild(node, sorted, merge)
    }
    while (refs.length > 1) refs = await this.#chunkBranches(refs, ++level)
    return refs[0]!.address
  }

  /**
   * The tree of `entries`, given in strictly ascending key order, built as
   * they stream past with one pending node a level: the same root `insert`
   * gives for the same set, for a set too large to hold in memory at once.
   */
  async build(entries: Iterable<TreeEntry> | AsyncIterable<TreeEntry>): Promise<Address | undefined> {
    const pending: ChildRef[][] = []
    const made: number[] = []
    const lastMade: ChildRef[] = []
    let leaf: TreeEntry[] = []
    let hashes: Uint8Array[] = []
    const closeLeaf = async (): Promise<ChildRef> => {
      const ref = { ...(await this.#store({ kind: 'leaf', level: 0, entries: leaf }, leaf.length)), first: leaf[0]!.key, last: leaf.at(-1)!.key, bloom: bloomOf(hashes) }
      made[0] = (made[0] ?? 0) + 1
      lastMade[0] = ref
      leaf = []
      hashes = []
      return ref
    }
    const closeBranch = async (level: number): Promise<ChildRef> => {
      const chunk = pending[level]!.map((child) => (level === 1 ? child : withoutBloom(child)))
      pending[level] = []
      made[level] = (made[level] ?? 0) + 1
      const count = chunk.reduce((sum, child) => sum + child.count, 0)
      const ref = { ...(await this.#store({ kind: 'branch', level, children: chunk }, count)), first: chunk[0]!.first, last: chunk.at(-1)!.last }
      lastMade[level] = ref
      return ref
    }
    const push = async (ref: ChildRef, level: number): Promise<void> => {
      ;(pending[level] ??= []).push(ref)
      if (rankOf(keyHash(ref.last), this.#fanoutBits) > level) await push(await closeBranch(level), level + 1)
    }
    let previous: TaskKey | undefined
    for await (const entry of entries) {
      if (previous !== undefined && !(previous < entry.key)) throw new RangeError(`cache tree build: ${entry.key} comes after ${previous}`)
      previous = entry.key
      const hash = keyHash(entry.key)
      leaf.push(entry)
      hashes.push(hash)
      if (rankOf(hash, this.#fanoutBits) > 0) await push(await closeLeaf(), 1)
    }
    if (previous === undefined) return undefined
    // The end closes the last node of every level; the root is the lowest level that has one node.
    let carry: ChildRef | undefined = leaf.length > 0 ? await closeLeaf() : undefined
    for (let level = 0; ; level++) {
      if (made[level] === 1) return lastMade[level]!.address
      if (carry !== undefined) (pending[level + 1] ??= []).push(carry)
      carry = (pending[level + 1]?.length ?? 0) > 0 ? await closeBranch(level + 1) : undefined
    }
  }

  /**
   * The root of the union of two trees. Subtrees the two share (same address)
   * are skipped, so trees built from nearly the same entries merge for the
   * cost of their differences plus their branch nodes.
   */
  async merge(a: Address, b: Address, merge: MergeEntry, keep: (entry: TreeEntry) => boolean = () => true): Promise<Address> {
    if (a === b) return a
    const known = new Set<Address>([a])
    await this.#collect(a, known)
    const extra: TreeEntry[] = []
    await this.#gather(b, known, extra)
    return (await this.insert(a, extra.filter(keep), merge)) ?? a
  }

  /** Entries under `root`, as its node says. */
  async count(root: Address): Promise<number> {
    const node = await this.node(root)
    return isLeaf(node) ? node.entries.length : node.children.reduce((sum, child) => sum + child.count, 0)
  }

  /** Every entry, in key order (reads every node). */
  async *entries(root: Address): AsyncGenerator<TreeEntry> {
    const node = await this.node(root)
    if (isLeaf(node)) yield* node.entries
    else for (const child of node.children) yield* this.entries(child.address)
  }

  async #rebuild(node: TreeNode, items: readonly TreeEntry[], merge: MergeEntry): Promise<ChildRef[]> {
    if (isLeaf(node)) return this.#chunkLeaves(mergeSorted(node.entries, items, merge))
    const children: ChildRef[] = []
    let at = 0
    for (const [i, child] of node.children.entries()) {
      const last = i === node.children.length - 1
      let end = at
      while (end < items.length && (last || items[end]!.key <= child.last)) end++
      if (end === at) children.push(child)
      else children.push(...(await this.#rebuild(await this.node(child.address), items.slice(at, end), merge)))
      at = end
    }
    return this.#chunkBranches(children, node.level)
  }

  async #chunkLeaves(entries: readonly TreeEntry[]): Promise<ChildRef[]> {
    const refs: ChildRef[] = []
    let start = 0
    let hashes: Uint8Array[] = []
    for (let i = 0; i < entries.length; i++) {
      const hash = keyHash(entries[i]!.key)
      hashes.push(hash)
      if (rankOf(hash, this.#fanoutBits) === 0 && i < entries.length - 1) continue
      const chunk = entries.slice(start, i + 1)
      refs.push({ ...(await this.#store({ kind: 'leaf', level: 0, entries: chunk }, chunk.length)), first: chunk[0]!.key, last: chunk.at(-1)!.key, bloom: bloomOf(hashes) })
      start = i + 1
      hashes = []
    }
    return refs
  }

  async #chunkBranches(children: readonly ChildRef[], level: number): Promise<ChildRef[]> {
    const refs: ChildRef[] = []
    let start = 0
    for (let i = 0; i < children.length; i++) {
      if (rankOf(keyHash(children[i]!.last), this.#fanoutBits) <= level && i < children.length - 1) continue
      const chunk = children.slice(start, i + 1).map((child) => (level === 1 ? child : withoutBloom(child)))
      const count = chunk.reduce((sum, child) => sum + child.count, 0)
      refs.push({ ...(await this.#store({ kind: 'branch', level, children: chunk }, count)), first: chunk[0]!.first, last: chunk.at(-1)!.last })
      start = i + 1
    }
    return refs
  }

  async #store(node: TreeNode, count: number): Promise<{ address: Address; count: number }> {
    const { address, bytes } = encodeNode(node)
    await this.store.put(address, bytes)
    this.#keep(address, node)
    return { address, count }
  }

  async #collect(address: Address, into: Set<Address>): Promise<void> {
    const node = await this.node(address)
    if (isLeaf(node)) return
    for (const child of node.children) {
      into.add(child.address)
      if (node.level > 1) await this.#collect(child.address, into)
    }
  }

  async #gather(address: Address, known: ReadonlySet<Address>, into: TreeEntry[]): Promise<void> {
    if (known.has(address)) return
    const node = await this.node(address)
    if (isLeaf(node)) into.push(...node.entries)
    else for (const child of node.children) await this.#gather(child.address, known, into)
  }
}

function withoutBloom(child: ChildRef): ChildRef {
  if (child.bloom === undefined) return child
  const { bloom: _bloom, ...rest } = child
  return rest
}

function firstAtOrAfter(children: readonly ChildRef[], key: TaskKey): ChildRef | undefined {
  let lo = 0
  let hi = children.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (children[mid]!.last < key) lo = mid + 1
    else hi = mid
  }
  return children[lo]
}

function sortedUnique(items: readonly TreeEntry[], merge: MergeEntry): TreeEntry[] {
  const sorted = [...items].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  const out: TreeEntry[] = []
  for (const item of sorted) {
    const previous = out.at(-1)
    if (previous !== undefined && previous.key === item.key) out[out.length - 1] = merge(previous, item)
    else out.push(item)
  }
  return out
}

function mergeSorted(existing: readonly TreeEntry[], incoming: readonly TreeEntry[], merge: MergeEntry): TreeEntry[] {
  const out: TreeEntry[] = []
  let i = 0
  let j = 0
  while (i < existing.length || j < incoming.length) {
    const a = existing[i]
    const b = incoming[j]
    if (b === undefined || (a !== undefined && a.key < b.key)) out.push(existing[i++]!)
    else if (a === undefined || b.key < a.key) out.push(incoming[j++]!)
    else {
      out.push(merge(a, b))
      i++
      j++
    }
  }
  return out
}
