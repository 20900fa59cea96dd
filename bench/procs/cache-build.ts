// Builds the bench's swarm of cached results (bench/cache-scale.ts): a cache
// tree of <count> entries with real signed proofs, then the last <tail> of them
// through the real write path and real compactions, so the document carries
// what compaction leaves behind. Writes the document and the nodes to <dir>.
// Prints one JSON line.
//   node --import tsx bench/procs/cache-build.ts <count> <tail> <threshold> <dir>
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import * as Y from 'yjs'
import {
  addressOf,
  cacheOutcome,
  CacheTree,
  compactCache,
  encodeAndAddress,
  Identity,
  keysAsSubjects,
  mergeEntryBy,
  publishCompaction,
  recordResultValue,
  signOutcomes,
  SwarmDoc,
  taskKeyOf,
  INLINE_VALUE_LIMIT,
  type Address,
  type CacheEntry,
  type TaskKey,
  type TreeEntry,
} from '@tessera/core'
import { NodePackWriter } from '../cache-tree/pack.ts'

const [count, tail, threshold] = process.argv.slice(2, 5).map(Number) as [number, number, number]
const dir = process.argv[5] as string
/** A donor's flush: the reports of one write-back, signed as one Merkle batch. */
const FLUSH = 64
const donors = [0, 1, 2, 3].map((i) => Identity.fromSeed(`cache-bench donor ${i}`))
const fn = addressOf('cache-bench square')

interface Made {
  readonly key: TaskKey
  readonly entry: CacheEntry
  readonly address: Address
  readonly bytes: Uint8Array
}

/** Results `from` to `to`, each signed by one donor, in flushes of `FLUSH`. */
function results(from: number, to: number): Made[] {
  const made: Made[] = []
  for (let start = from; start < to; start += FLUSH) {
    const signer = donors[Math.floor(start / FLUSH) % donors.length]!
    const items = []
    for (let x = start; x < Math.min(to, start + FLUSH); x++) {
      const { address, bytes } = encodeAndAddress(x * x)
      items.push({ key: taskKeyOf(fn, addressOf({ x })), outcome: { kind: 'value' as const, result: address }, bytes })
    }
    const proofs = signOutcomes(signer, items)
    items.forEach((item, i) => made.push({ key: item.key, address: item.outcome.result, bytes: item.bytes, entry: { kind: 'value', result: item.outcome.result, proofs: [{ peer: signer.peer, ...proofs[i]! }] } }))
  }
  return made
}

const t0 = performance.now()
const pack = new NodePackWriter(path.join(dir, 'nodes.pack'))
const tree = new CacheTree(pack)
const bulk = count - tail
// One insert: each leaf is encoded once (inserting in chunks would rewrite most leaves every chunk).
const bulkItems: TreeEntry[] = results(0, bulk).map((m) => ({ key: m.key, entry: m.entry, inline: m.bytes }))
const root = await tree.insert(undefined, bulkItems, mergeEntryBy(keysAsSubjects))
const sampleBulk = bulkItems.filter((_, i) => i % Math.max(1, Math.floor(bulk / 500)) === 0).map((e) => e.key)
bulkItems.length = 0
const bulkMs = performance.now() - t0

const swarm = new SwarmDoc(new Y.Doc())
const self = donors[0]!.peer
if (root !== undefined) publishCompaction(swarm, { root, count: bulk, by: self, at: 0, replaces: [], compacted: [], nextEpoch: 1, carried: [], carriedValues: [] })
const docAfterBulk = Y.encodeStateAsUpdate(swarm.doc).byteLength
// The tail, as a swarm makes it: results written in small transactions, compacted when due.
const t1 = performance.now()
let compactions = 0
const afterCompaction: number[] = []
const tailResults = results(bulk, count)
for (let at = 0; at < tailResults.length; at += FLUSH) {
  swarm.transact(() => {
    for (const m of tailResults.slice(at, at + FLUSH)) {
      recordResultValue(swarm, m.address, m.bytes, INLINE_VALUE_LIMIT)
      cacheOutcome(swarm, m.key, m.entry, keysAsSubjects)
    }
  })
  const made = await compactCache(swarm, tree, { threshold, self, now: () => at, subjectOf: keysAsSubjects })
  if (made !== undefined || swarm.cacheTreeRoots().length === 0) {
    compactions++
    afterCompaction.push(Y.encodeStateAsUpdate(swarm.doc).byteLength)
  }
}
const tailMs = performance.now() - t1
const update = Y.encodeStateAsUpdate(swarm.doc)
writeFileSync(path.join(dir, 'swarm.update'), update)
writeFileSync(path.join(dir, 'nodes.index.json'), JSON.stringify([...pack.index]))
const roots = swarm.cacheTreeRoots()
// Keys to look up: compacted in bulk, compacted from the tail, and still in the document.
const keys = tailResults.filter((_, i) => i % Math.max(1, Math.floor(tail / 200)) === 0).map((m) => m.key).concat(sampleBulk)
writeFileSync(path.join(dir, 'keys.json'), JSON.stringify(keys))
pack.close()
console.log(
  JSON.stringify({
    count,
    tail,
    threshold,
    bulkMs,
    tailMs,
    docBytes: update.byteLength,
    docAfterBulk,
    afterCompaction,
    compactions,
    uncompacted: swarm.cache.size,
    roots: roots.map((r) => ({ root: r.root, count: r.count })),
    nodeBytes: pack.bytes,
    nodes: pack.index.size,
  }),
)
