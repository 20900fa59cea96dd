// A new peer joins the bench's swarm of cached results (bench/cache-scale.ts,
// built by cache-build.ts): applies the swarm document, then looks results up
// through the tree, fetching nodes from the other peers (the pack) and keeping
// them. Run with --expose-gc. Prints one JSON line.
//   node --expose-gc --import tsx bench/procs/cache-join.ts <dir>
import { readFileSync } from 'node:fs'
import path from 'node:path'
import * as Y from 'yjs'
import { addressOf, MemoryBlobStore, SwarmDoc, ValueStore, type Address, type BlobStore, type PeerId, type TaskKey } from '@tessera/core'
import { NodePackReader } from '../cache-tree/pack.ts'

const dir = process.argv[2] as string
const gc = (globalThis as { gc?: () => void }).gc
/** The JS heap and the byte arrays outside it (node bytes live there): what the peer holds. */
const heap = (): number => {
  gc?.()
  gc?.()
  const usage = process.memoryUsage()
  return usage.heapUsed + usage.arrayBuffers
}

const update = new Uint8Array(readFileSync(path.join(dir, 'swarm.update')))
const index = new Map(JSON.parse(readFileSync(path.join(dir, 'nodes.index.json'), 'utf8')) as Array<[string, [number, number]]>)
const keys = JSON.parse(readFileSync(path.join(dir, 'keys.json'), 'utf8')) as TaskKey[]
const others = new NodePackReader(path.join(dir, 'nodes.pack'), index)

/** This peer's store: its own blobs in memory (a tab keeps them in IndexedDB: counted in its heap here, the worse case). */
class JoinerBlobs implements BlobStore {
  readonly own = new MemoryBlobStore()
  put(address: Address, bytes: Uint8Array): Promise<void> {
    return this.own.put(address, bytes)
  }
  get(address: Address): Promise<Uint8Array | undefined> {
    return this.own.get(address)
  }
  has(address: Address): Promise<boolean> {
    return this.own.has(address)
  }
  async fetchUnlisted(address: Address, _preferred: readonly PeerId[]): Promise<Uint8Array | undefined> {
    const bytes = others.fetch(address)
    if (bytes !== undefined) await this.own.put(address, bytes)
    return bytes
  }
}

const before = heap()
const t0 = performance.now()
const swarm = new SwarmDoc(new Y.Doc())
Y.applyUpdate(swarm.doc, update)
const roots = swarm.cacheTreeRoots()
const joinMs = performance.now() - t0
const afterJoin = heap()
const values = new ValueStore(swarm, new JoinerBlobs())

// Hits: results compacted long ago and lately; the first lookups fetch the upper levels, later ones a leaf or two.
const t1 = performance.now()
let hits = 0
const fetchesBefore = others.fetches
for (const key of keys) {
  const entry = await values.compacted.cached(key)
  if (entry?.kind === 'value') {
    await values.get(entry.result)
    hits++
  }
}
const hitMs = performance.now() - t1
const hitFetches = others.fetches - fetchesBefore
// Misses: calls nobody made; most stop at a key range or a Bloom filter in a node already here.
const missKeys = Array.from({ length: 1_000 }, (_, i) => addressOf(['never called', i]) as string as TaskKey)
const t2 = performance.now()
const missFetchesBefore = others.fetches
let falseHits = 0
for (const key of missKeys) if ((await values.compacted.cached(key)) !== undefined) falseHits++
const missMs = performance.now() - t2
const missFetches = others.fetches - missFetchesBefore
const afterLookups = heap()
others.close()
console.log(
  JSON.stringify({
    docBytes: update.byteLength,
    roots: roots.length,
    joinMs,
    heapJoin: afterJoin - before,
    heapAfterLookups: afterLookups - before,
    lookups: keys.length,
    hits,
    hitMs,
    hitFetches,
    misses: missKeys.length,
    missMs,
    missFetches,
    falseHits,
    uncompacted: swarm.cache.size,
  }),
)
