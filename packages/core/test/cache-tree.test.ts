import { describe, expect, it } from 'vitest'
import { addressOf, CacheTree, checkCacheEntry, decodeNode, encodeNode, Identity, signOutcomes, TreeNodeError, type Address, type CacheEntry, type NodeStore, type TaskKey, type TreeEntry } from '@tessera/core'

class MemoryNodes implements NodeStore {
  readonly bytes = new Map<Address, Uint8Array>()
  async get(address: Address): Promise<Uint8Array | undefined> {
    return this.bytes.get(address)
  }
  async put(address: Address, bytes: Uint8Array): Promise<void> {
    this.bytes.set(address, bytes)
  }
}

const alice = Identity.fromSeed('tree-alice')
const keyOf = (i: number): TaskKey => addressOf(['call', i]) as string as TaskKey

/** `count` entries signed in one batch, as a donor's flush signs them. */
function signedEntries(from: number, count: number): TreeEntry[] {
  const items = Array.from({ length: count }, (_, i) => ({ key: keyOf(from + i), outcome: { kind: 'value', result: addressOf(from + i) } as const }))
  const proofs = signOutcomes(alice, items)
  return items.map(({ key, outcome }, i): TreeEntry => ({ key, entry: { kind: 'value', result: outcome.result, proofs: [{ peer: alice.peer, ...proofs[i]! }] } satisfies CacheEntry }))
}

const keepIncoming = (_existing: TreeEntry, incoming: TreeEntry): TreeEntry => incoming
// Small chunks (one key in 8 ends one), so a few hundred entries make a tree of several levels.
const options = { fanoutBits: 3 }

async function build(entries: readonly TreeEntry[], batch: number, store = new MemoryNodes()): Promise<Address | undefined> {
  const tree = new CacheTree(store, options)
  let root: Address | undefined
  for (let at = 0; at < entries.length; at += batch) root = await tree.insert(root, entries.slice(at, at + batch), keepIncoming)
  return root
}

describe('the cache tree', () => {
  const entries = signedEntries(0, 400)

  it('is a function of its entries: the same set gives the same root in any order and any batching', async () => {
    const whole = await build(entries, entries.length)
    const shuffled = [...entries].sort((a, b) => (addressOf(a.key) < addressOf(b.key) ? -1 : 1))
    expect(await build([...entries].reverse(), 1)).toBe(whole)
    expect(await build(shuffled, 37)).toBe(whole)
    expect(await build(entries.slice(0, 399), 400)).not.toBe(whole)
    const sorted = [...entries].sort((a, b) => (a.key < b.key ? -1 : 1))
    for (const n of [1, 2, 9, 57, 400]) expect(await new CacheTree(new MemoryNodes(), options).build(sorted.slice(0, n))).toBe(await build(sorted.slice(0, n), n))
    const store = new MemoryNodes()
    const tree = new CacheTree(store, options)
    const root = (await build(entries, 400, store))!
    const node = await tree.node(root)
    expect(node.level).toBeGreaterThanOrEqual(2)
    expect([...(await collect(tree, root))].map((e) => e.key)).toEqual(entries.map((e) => e.key).sort())
  })

  it('merges two trees into the tree of their union, whoever merges which into which', async () => {
    const store = new MemoryNodes()
    const tree = new CacheTree(store, options)
    const a = (await build(entries.slice(0, 300), 300, store))!
    const b = (await build(entries.slice(100), 300, store))!
    const union = await build(entries, 400)
    expect(await tree.merge(a, b, keepIncoming)).toBe(union)
    expect(await tree.merge(b, a, keepIncoming)).toBe(union)
  })

  it('finds every entry, with proofs that still check, and misses absent keys mostly without reading a leaf', async () => {
    const store = new MemoryNodes()
    const root = (await build(entries, 400, store))!
    const hits = new CacheTree(store, { ...options, keepDecoded: 0 })
    for (const { key } of entries) expect(checkCacheEntry(key, (await hits.lookup(root, key))?.entry)).toBeDefined()
    const misses = new CacheTree(store, { ...options, keepDecoded: 0 })
    for (let i = 1_000; i < 1_400; i++) expect(await misses.lookup(root, keyOf(i))).toBeUndefined()
    // A hit reads a node a level; a miss stops at a key range or a Bloom filter before the leaf about 99 times in 100.
    expect(misses.reads).toBeLessThan(hits.reads * 0.9)
  })

  it('rejects a node whose bytes do not match its address, and a malformed one', async () => {
    const store = new MemoryNodes()
    const root = (await build(entries, 400, store))!
    const [other] = [...store.bytes.entries()].filter(([address]) => address !== root)
    const swapped: NodeStore = { get: async (address) => (address === root ? other![1] : store.bytes.get(address)), put: store.put.bind(store) }
    await expect(new CacheTree(swapped, options).lookup(root, entries[0]!.key)).rejects.toBeInstanceOf(TreeNodeError)
    const flipped = new Uint8Array(store.bytes.get(root)!)
    flipped[flipped.length - 1]! ^= 1
    expect(() => decodeNode(root, flipped)).toThrow(TreeNodeError)
    const unsorted = encodeNode({ kind: 'leaf', level: 0, entries: [entries[1]!, entries[0]!].sort((a, b) => (a.key < b.key ? 1 : -1)) })
    expect(() => decodeNode(unsorted.address, unsorted.bytes)).toThrow(TreeNodeError)
  })

  it('serves a forged entry only as a pointer: its proof fails the reader check', async () => {
    const [honest] = signedEntries(0, 1)
    const forged: TreeEntry = { key: keyOf(7), entry: honest!.entry }
    const store = new MemoryNodes()
    const root = (await new CacheTree(store, options).insert(undefined, [forged], keepIncoming))!
    const found = await new CacheTree(store, options).lookup(root, keyOf(7))
    expect(found).toBeDefined()
    expect(checkCacheEntry(keyOf(7), found!.entry)).toBeUndefined()
  })
})

async function collect(tree: CacheTree, root: Address): Promise<TreeEntry[]> {
  const out: TreeEntry[] = []
  for await (const entry of tree.entries(root)) out.push(entry)
  return out
}
