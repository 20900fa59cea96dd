import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import {
  addressOf,
  CacheTree,
  cacheOutcome,
  compactCache,
  decodeNode,
  definePure,
  encodeAndAddress,
  Identity,
  keysAsSubjects,
  MemoryBlobStore,
  recordResultValue,
  SwarmDoc,
  taskKeyOf,
  ValueStore,
  type Address,
  type TaskKey,
} from '@tessera/core'
import { signedCacheEntry } from '@tessera/core/testing'
import { TreeKeeper } from '../src/cache-tree/tree-keeper.ts'

const square = definePure(({ x }: { x: number }) => x * x, { name: 'square' })
const keyOfX = (x: number): TaskKey => taskKeyOf(square.address, addressOf({ x }))

describe('TreeKeeper', () => {
  it('fetches the branches of the roots it finds, then every node a later root adds and nothing it shares', async () => {
    const alice = Identity.fromSeed('keeper-alice')
    const swarm = new SwarmDoc(new Y.Doc())
    const blobs = new MemoryBlobStore()
    const values = new ValueStore(swarm, blobs)
    const write = (from: number, to: number): void =>
      swarm.transact(() => {
        for (let x = from; x < to; x++) {
          const { address, bytes } = encodeAndAddress(x * x)
          recordResultValue(swarm, address, bytes, values.inlineLimit)
          cacheOutcome(swarm, keyOfX(x), signedCacheEntry([alice], keyOfX(x), { kind: 'value', result: address }), keysAsSubjects)
        }
      })
    const compact = async (): Promise<void> => {
      await compactCache(swarm, values.compacted.tree, { threshold: 10, self: 'a' as never, now: () => 1, subjectOf: keysAsSubjects })
      await compactCache(swarm, values.compacted.tree, { threshold: 10, self: 'a' as never, now: () => 1, subjectOf: keysAsSubjects, sealedOnly: true })
    }
    // The keeper's own store starts empty and fetches from the compactor's, counting what it asks for.
    const fetched: Address[] = []
    const own = new MemoryBlobStore()
    const tree = new CacheTree({
      async get(address) {
        const local = await own.get(address)
        if (local !== undefined) return local
        fetched.push(address)
        const bytes = await blobs.get(address)
        if (bytes !== undefined) await own.put(address, bytes)
        return bytes
      },
      put: (address, bytes) => own.put(address, bytes),
    })
    const nodesOf = async (root: Address): Promise<{ branches: Set<Address>; leaves: Set<Address> }> => {
      const branches = new Set<Address>()
      const leaves = new Set<Address>()
      const walk = async (address: Address): Promise<void> => {
        const node = decodeNode(address, (await blobs.get(address)) as Uint8Array)
        if (node.kind === 'leaf') return void leaves.add(address)
        branches.add(address)
        for (const child of node.children) await walk(child.address)
      }
      await walk(root)
      return { branches, leaves }
    }

    write(0, 3_000)
    await compact()
    const first = swarm.cacheTreeRoots().map((r) => r.root)
    expect(first).toHaveLength(1)
    const keeper = new TreeKeeper(swarm, tree)
    expect(await keeper.keepListed()).toBe(0)
    const old = await nodesOf(first[0]!)
    expect(old.branches.size).toBeGreaterThan(1)
    expect(new Set(fetched)).toEqual(old.branches)
    expect(keeper.holds(first[0]!)).toBe(true)

    fetched.length = 0
    write(3_000, 3_040)
    await compact()
    const second = swarm.cacheTreeRoots().map((r) => r.root)
    expect(second).toHaveLength(1)
    expect(second[0]).not.toBe(first[0])
    expect(await keeper.keepListed()).toBe(0)
    const now = await nodesOf(second[0]!)
    const added = [...now.branches, ...now.leaves].filter((a) => !old.branches.has(a) && !old.leaves.has(a))
    expect(added.length).toBeGreaterThan(0)
    expect(new Set(fetched)).toEqual(new Set(added))
    expect([...now.leaves].filter((a) => old.leaves.has(a)).length).toBeGreaterThan(0)
    expect(keeper.holds(second[0]!)).toBe(true)
    // A keeper that may remember few subtrees forgets them and walks the branches again, locally.
    const forgetful = new TreeKeeper(swarm, tree, 10)
    await forgetful.keepListed()
    write(3_040, 3_060)
    await compact()
    const third = swarm.cacheTreeRoots()[0]!.root
    const before = await nodesOf(second[0]!)
    const added3 = [...(await nodesOf(third)).leaves].filter((a) => !before.leaves.has(a) && !old.leaves.has(a))
    expect(added3.length).toBeGreaterThan(0)
    fetched.length = 0
    expect(await forgetful.keepListed()).toBe(0)
    // Held whole, then forgotten (more than 10 subtrees): the new root's leaves were fetched all the same.
    expect(forgetful.holds(third)).toBe(false)
    expect(added3.every((a) => fetched.includes(a))).toBe(true)
    fetched.length = 0
    expect(await forgetful.keepListed()).toBe(0)
    expect(fetched).toEqual([])
    // A root whose nodes nobody serves is reported, and tried again on the next look.
    const bogus = addressOf('a root nobody serves')
    swarm.transact(() => (swarm.cacheRoots as unknown as Y.Map<unknown>).set('99/1', { root: bogus, count: 5, at: 0, by: 'stranger' }))
    expect(await keeper.keepListed()).toBe(1)
    expect(await keeper.keepListed()).toBe(1)
  })
})
