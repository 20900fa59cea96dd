import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { addressOf, cacheOutcome, cacheOutcomes, Identity, keysAsSubjects, SwarmDoc, type TaskKey } from '@tessera/core'
import { signedCacheEntry } from '@tessera/core/testing'

// The cache's index of keys to shards, kept up to date from observed writes (one shard per writer).
const signers = ['a', 'b', 'c'].map((name) => Identity.fromSeed(`shard-index ${name}`))
const keyOf = (i: number): TaskKey => addressOf({ shardIndex: i }) as string as TaskKey
const value = (i: number) => ({ kind: 'value', result: addressOf({ result: i }) }) as const

/** What a reader that builds its index from scratch sees for `keys`, raw entries in order. */
function fromScratch(doc: Y.Doc, keys: readonly TaskKey[]): unknown[][] {
  const fresh = new SwarmDoc(new Y.Doc())
  Y.applyUpdate(fresh.doc, Y.encodeStateAsUpdate(doc))
  return keys.map((key) => fresh.cacheShards.all(key))
}

describe('the cache index under writes by many writers', () => {
  // Shards sort by their writer's client id: both orders of the writers, so a pack's shard comes before and after a single entry's.
  it.each([
    ['ascending', [101, 202, 303]],
    ['descending', [303, 202, 101]],
  ])('matches an index built from scratch after writes, rewrites, packs and deletions in several shards, entry for entry and in order (writers\' ids %s)', (_, ids) => {
    const reader = new SwarmDoc(new Y.Doc())
    const writers = ids.map((id) => {
      const doc = new Y.Doc()
      doc.clientID = id
      return new SwarmDoc(doc)
    })
    const keys = Array.from({ length: 40 }, (_, i) => keyOf(i))
    // The reader's index exists before anything arrives: every change after is applied to it.
    expect(reader.cacheShards.has(keys[0]!)).toBe(false)
    const sync = (): void => {
      for (const writer of writers) Y.applyUpdate(reader.doc, Y.encodeStateAsUpdate(writer.doc, Y.encodeStateVector(reader.doc)))
      expect(keys.map((key) => reader.cacheShards.all(key))).toEqual(fromScratch(reader.doc, keys))
    }
    // Each writer caches some keys alone, some the others cache too (a key in several shards).
    writers.forEach((writer, w) => {
      for (let i = w * 10; i < w * 10 + 15; i++) cacheOutcome(writer, keys[i]!, signedCacheEntry([signers[w]!], keys[i]!, value(i)), keysAsSubjects)
    })
    sync()
    // A pack of new keys in one shard, and the same keys singly in another.
    cacheOutcomes(writers[0]!, keys.slice(30, 38).map((key, n) => ({ key, entry: signedCacheEntry([signers[0]!], key, value(30 + n)) })), keysAsSubjects, 'p1')
    for (const key of keys.slice(34, 40)) cacheOutcome(writers[1]!, key, signedCacheEntry([signers[1]!], key, value(Number(keys.indexOf(key)))), keysAsSubjects)
    sync()
    // A second signer merged into an entry (a rewrite in place), and a peer deleting entries from others' shards.
    const i = 12
    cacheOutcome(writers[1]!, keys[i]!, signedCacheEntry([signers[0]!, signers[1]!], keys[i]!, value(i)), keysAsSubjects)
    sync()
    reader.doc.transact(() => {
      for (const [, shard] of reader.cacheShards.shards()) {
        for (const key of [keys[5]!, keys[11]!, keys[21]!]) if (shard.has(key)) (shard as unknown as Y.Map<unknown>).delete(key)
        for (const [name] of shard.entries()) if (name.startsWith('#')) (shard as unknown as Y.Map<unknown>).delete(name)
      }
    })
    expect(keys.map((key) => reader.cacheShards.all(key))).toEqual(fromScratch(reader.doc, keys))
    expect(reader.cacheShards.all(keys[11]!)).toEqual([])
    expect(reader.cacheShards.all(keys[5]!)).toEqual([])
    expect(reader.cached(keys[12]!)?.proofs).toHaveLength(2)
  })
})
