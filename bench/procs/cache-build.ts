// Builds the bench's swarm of cached results (bench/cache-scale.ts): a cache
// tree of <count> entries with real signed proofs, then the last <tail> of them
// through the real write path and real compactions, so the document carries
// what compaction leaves behind. Writes the document and the nodes to <dir>.
// Prints one JSON line.
//   node --import tsx bench/procs/cache-build.ts <count> <tail> <threshold> <dir>
import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import * as Y from 'yjs'
import {
  addressOf,
  addressOfDigest,
  cacheOutcome,
  CacheTree,
  compactCache,
  encodeCanonical,
  Identity,
  keysAsSubjects,
  publishCompaction,
  recordResultValue,
  signOutcomes,
  SwarmDoc,
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

// Addresses as `addressOfBytes` spells them (CIDv1, codec 0x51, SHA-256, base32), hashed by node:crypto:
// generating a million of them with the portable hash would take most of the section's time.
function fastAddress(bytes: Uint8Array): Address {
  return addressOfDigest(createHash('sha256').update(bytes).digest())
}
const utf8 = new TextEncoder()
/** A task key's form: the hash of the function and the arguments (here a call's index stands for its arguments). */
const keyOf = (x: number): TaskKey => fastAddress(utf8.encode(`${fn} ${x}`)) as string as TaskKey

interface Made {
  readonly key: TaskKey
  readonly entry: CacheEntry
  readonly address: Address
  readonly bytes: Uint8Array
}

/** The results of calls `xs`, each signed by one donor, in flushes of `FLUSH` (one Merkle batch each). */
function results(xs: readonly number[], keys?: readonly TaskKey[]): Made[] {
  const made: Made[] = []
  for (let start = 0; start < xs.length; start += FLUSH) {
    const signer = donors[Math.floor(start / FLUSH) % donors.length]!
    const items = []
    for (let i = start; i < Math.min(xs.length, start + FLUSH); i++) {
      const x = xs[i]!
      const bytes = encodeCanonical(x * x)
      items.push({ key: keys?.[i] ?? keyOf(x), outcome: { kind: 'value' as const, result: fastAddress(bytes) }, bytes })
    }
    const proofs = signOutcomes(signer, items)
    items.forEach((item, i) => made.push({ key: item.key, address: item.outcome.result, bytes: item.bytes, entry: { kind: 'value', result: item.outcome.result, proofs: [{ peer: signer.peer, ...proofs[i]! }] } }))
  }
  return made
}
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i)

const t0 = performance.now()
const pack = new NodePackWriter(path.join(dir, 'nodes.pack'))
const tree = new CacheTree(pack)
const bulk = count - tail
// The bulk streams into the tree in key order, a flush at a time, so only one pending node a level is held.
const byKey = range(0, bulk).map((x) => ({ x, key: keyOf(x) })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
const sampleBulk = byKey.filter((_, i) => i % Math.max(1, Math.floor(bulk / 500)) === 0).map((c) => c.key)
async function* sortedBulk(): AsyncGenerator<TreeEntry> {
  const STREAM = 4_096
  for (let at = 0; at < byKey.length; at += STREAM) {
    const slice = byKey.slice(at, at + STREAM)
    for (const m of results(slice.map((c) => c.x), slice.map((c) => c.key))) yield { key: m.key, entry: m.entry, inline: m.bytes }
  }
}
const root = bulk === 0 ? undefined : await tree.build(sortedBulk())
byKey.length = 0
const bulkMs = performance.now() - t0

const swarm = new SwarmDoc(new Y.Doc())
const self = donors[0]!.peer
if (root !== undefined) publishCompaction(swarm, { root, count: bulk, by: self, at: 0, replaces: [], compacted: [], nextEpoch: 1, carried: [], carriedValues: [] })
const docAfterBulk = Y.encodeStateAsUpdate(swarm.doc).byteLength
// The tail, as a swarm makes it: results written in small transactions, compacted when due.
const t1 = performance.now()
let compactions = 0
const afterCompaction: number[] = []
const tailResults = results(range(bulk, count))
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
