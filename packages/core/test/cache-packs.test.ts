import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import {
  addressOf,
  cacheOutcome,
  cacheOutcomes,
  checkCacheEntry,
  Identity,
  keysAsSubjects,
  PACK_PREFIX,
  packEntries,
  packOpened,
  signOutcomes,
  SwarmDoc,
  taskKeyOf,
  type CacheEntry,
  type CachePack,
  type TaskKey,
} from '@tessera/core'
import { writeRaw } from './support/forge.ts'

const fn = addressOf({ fn: 'pack-test' })
const keyOf = (i: number): TaskKey => taskKeyOf(fn, addressOf({ i }))
const resultOf = (i: number) => addressOf({ result: i })
const reporterA = Identity.fromSeed('pack reporter a')
const reporterB = Identity.fromSeed('pack reporter b')
const referee = Identity.fromSeed('pack referee')

/**
 * What a referee caches after one flush: `count` results, reported by two
 * donors in their own flushes (A reported the first 40 of a batch that also
 * held other jobs' results, B the rest), each accepted under the referee's
 * signature over the whole flush.
 */
function flush(count: number, from = 0): Array<{ key: TaskKey; entry: CacheEntry }> {
  const items = Array.from({ length: count }, (_, n) => ({ key: keyOf(from + n), outcome: { kind: 'value' as const, result: resultOf(from + n) } }))
  const other = Array.from({ length: 25 }, (_, n) => ({ key: keyOf(10_000 + from + n), outcome: { kind: 'value' as const, result: resultOf(n) } }))
  const split = Math.min(40, count)
  const byA = signOutcomes(reporterA, [...other, ...items.slice(0, split)]).slice(other.length)
  const byB = signOutcomes(reporterB, items.slice(split))
  const byReferee = signOutcomes(referee, items)
  return items.map(({ key, outcome }, n) => ({
    key,
    entry: {
      kind: 'value',
      result: outcome.result,
      proofs: [n < split ? { peer: reporterA.peer, ...byA[n]! } : { peer: reporterB.peer, ...byB[n - split]! }, { peer: referee.peer, ...byReferee[n]! }],
    },
  }))
}

/** A second process's copy of `from`'s document. */
function replica(from: SwarmDoc): SwarmDoc {
  const doc = new Y.Doc({ guid: from.doc.guid })
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(from.doc))
  return new SwarmDoc(doc)
}

function onlyPack(swarm: SwarmDoc): [Y.Map<unknown>, string, CachePack] {
  for (const [, shard] of swarm.cacheShards.shards()) for (const [key, raw] of shard.entries()) if (key.startsWith(PACK_PREFIX)) return [shard as unknown as Y.Map<unknown>, key, raw as CachePack]
  throw new Error('no pack written')
}

describe('cache entries written as one pack per flush', () => {
  it('read back on another peer as the same entries, proofs checked, for a tenth of the bytes of separate entries', () => {
    const items = flush(64)
    const packed = new SwarmDoc()
    expect(cacheOutcomes(packed, items, keysAsSubjects, 'flush-1')).toBe(64)
    const separate = new SwarmDoc()
    separate.transact(() => items.forEach(({ key, entry }) => cacheOutcome(separate, key, entry, keysAsSubjects)))

    const reader = replica(packed)
    expect(reader.cache.size).toBe(64)
    expect(new Set(reader.cache.keys())).toEqual(new Set(items.map((item) => item.key)))
    for (const { key, entry } of items) {
      const read = reader.cached(key)
      const byPeer = (e: CacheEntry | undefined) => e && { ...e, proofs: [...e.proofs].sort((a, b) => (a.peer < b.peer ? -1 : 1)) }
      expect(byPeer(read)).toEqual(byPeer(entry))
      // Rebuilt proofs are real audit paths: they check on their own, as in a per-key entry.
      expect(checkCacheEntry(key, JSON.parse(JSON.stringify(read)))).toBeDefined()
    }
    const packedBytes = Y.encodeStateAsUpdate(packed.doc).byteLength
    const separateBytes = Y.encodeStateAsUpdate(separate.doc).byteLength
    console.log(`[cache packs] 64 entries: ${packedBytes} B packed, ${separateBytes} B as separate entries`)
    expect(packedBytes * 5).toBeLessThan(separateBytes)
  })

  it('tells observers the keys inside a pack as it arrives, and the compaction counts them', () => {
    const writer = new SwarmDoc()
    const reader = new SwarmDoc(new Y.Doc({ guid: writer.doc.guid }))
    const seen = new Set<string>()
    reader.cache.observe(({ keysChanged }) => keysChanged.forEach((key) => seen.add(key)))
    writer.doc.on('update', (update: Uint8Array) => Y.applyUpdate(reader.doc, update))
    cacheOutcomes(writer, flush(10), keysAsSubjects, 'a')
    cacheOutcomes(writer, flush(10, 10), keysAsSubjects, 'b')
    expect(seen).toEqual(new Set(Array.from({ length: 20 }, (_, i) => keyOf(i))))
    expect(reader.cacheShards.shards().reduce((sum, [, shard]) => sum + reader.cacheShards.sizeOf(shard), 0)).toBe(20)
    expect(reader.cached(keyOf(15))?.kind).toBe('value')
  })

  it('finds the entries of two writers’ packs of the same name, arriving after the reader built its index', () => {
    const reader = new SwarmDoc()
    const writers = [0, 1].map(() => new SwarmDoc(new Y.Doc({ guid: reader.doc.guid })))
    // Each writer's shard exists already, and the reader has indexed it.
    writers.forEach((writer, w) => cacheOutcomes(writer, flush(5, 100 + 10 * w), keysAsSubjects, 'first'))
    for (const writer of writers) Y.applyUpdate(reader.doc, Y.encodeStateAsUpdate(writer.doc))
    expect(reader.cached(keyOf(100))?.kind).toBe('value')
    writers.forEach((writer, w) => cacheOutcomes(writer, flush(10, 30 * w), keysAsSubjects, 'same'))
    // The pack of the writer whose shard sorts last arrives last: the other shard, found first, holds a pack of that name already.
    const late = [...writers].sort((a, b) => (String(a.doc.clientID) < String(b.doc.clientID) ? -1 : 1))
    for (const writer of late) Y.applyUpdate(reader.doc, Y.encodeStateAsUpdate(writer.doc))
    for (const i of [0, 9, 30, 39, 104, 114]) expect(reader.cached(keyOf(i))?.kind, `key ${i}`).toBe('value')
    expect(reader.cache.size).toBe(30)
  })

  it('answers "is it cached?" from a pack it checked already, opening no other writer’s pack of the same results', () => {
    const reader = new SwarmDoc()
    const writers = [0, 1].map(() => new SwarmDoc(new Y.Doc({ guid: reader.doc.guid })))
    const items = flush(20)
    writers.forEach((writer, w) => cacheOutcomes(writer, items, keysAsSubjects, `writer-${w}`))
    for (const writer of writers) Y.applyUpdate(reader.doc, Y.encodeStateAsUpdate(writer.doc))
    const packs = reader.cacheShards.shards().flatMap(([, shard]) => [...shard.entries()].filter(([key]) => key.startsWith(PACK_PREFIX)).map(([, raw]) => raw))
    expect(packs).toHaveLength(2)
    // The pack of the shard that sorts last is checked already (a donor's own, say).
    packEntries(packs[1])
    for (const { key } of items) expect(reader.isCached(key)).toBe(true)
    expect(reader.isCached(keyOf(999))).toBe(false)
    expect(packs.map((raw) => packOpened(raw))).toEqual([false, true])
    // Reading the entries themselves still merges every writer's proofs.
    expect(reader.cached(items[3]!.key)?.proofs).toHaveLength(2)
    expect(packs.filter((raw) => packOpened(raw))).toHaveLength(2)
  })

  it('leaves entries already cached to the merge rule, and packs only what is new', () => {
    const items = flush(8)
    const swarm = new SwarmDoc()
    // One result is cached already with the referee's proof alone: the flush adds reporter A's proof to it, by key.
    cacheOutcome(swarm, items[0]!.key, { ...items[0]!.entry, proofs: [items[0]!.entry.proofs[1]!] }, keysAsSubjects)
    expect(cacheOutcomes(swarm, items, keysAsSubjects, 'p')).toBe(8)
    const [, , pack] = onlyPack(swarm)
    expect(pack.keys).toHaveLength(7)
    expect(swarm.cached(items[0]!.key)?.proofs.map((p) => p.peer).sort()).toEqual([reporterA.peer, referee.peer].sort())
  })

  it('yields nothing from a pack a forger edited, and never throws', () => {
    const forgeries: Array<[string, (pack: CachePack) => unknown]> = [
      ['a result changed', (pack) => ({ ...pack, results: pack.results.map((r, i) => (i === 3 ? resultOf(999) : r)) })],
      ['a key changed', (pack) => ({ ...pack, keys: pack.keys.map((k, i) => (i === 5 ? keyOf(999) : k)) })],
      ['a leaf moved', (pack) => ({ ...pack, signers: pack.signers.map((s, j) => (j === 0 ? { ...s, leaves: s.leaves.map((l, i) => (i === 1 && l >= 0 ? l + 1 : l)) } : s)) })],
      ['a node changed', (pack) => ({ ...pack, signers: pack.signers.map((s) => ({ ...s, nodes: s.nodes.length > 0 ? `${s.nodes[0] === 'A' ? 'B' : 'A'}${s.nodes.slice(1)}` : s.nodes })) })],
      ['another signature', (pack) => ({ ...pack, signers: pack.signers.map((s, j) => (j === 0 ? { ...s, sig: pack.signers[1]!.sig } : s)) })],
      ['a key twice', (pack) => ({ ...pack, keys: pack.keys.map((k, i) => (i === 1 ? pack.keys[0]! : k)) })],
      ['misaligned', (pack) => ({ ...pack, results: pack.results.slice(1) })],
      ['not a pack', () => ({ keys: 'nope', signers: [{}] })],
      ['garbage', () => 42],
    ]
    for (const [what, forge] of forgeries) {
      const swarm = new SwarmDoc()
      cacheOutcomes(swarm, flush(48), keysAsSubjects, 'honest')
      const [shard, key, pack] = onlyPack(swarm)
      // The forger replaces the honest pack in a fresh replica (any peer may write any shard).
      const reader = replica(swarm)
      const [readerShard] = onlyPack(reader)
      writeRaw(readerShard, key, forge(structuredClone(pack)))
      expect(shard.size, what).toBe(1)
      const found = Array.from({ length: 48 }, (_, i) => reader.cached(keyOf(i))).filter((entry) => entry !== undefined)
      expect(found, what).toEqual([])
    }
  })
})
