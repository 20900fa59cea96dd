import * as prng from 'lib0/prng'
import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import {
  addressOf,
  asJobId,
  cacheOutcome,
  compactCache,
  definePure,
  Identity,
  JobDoc,
  jobDocGuid,
  keysAsSubjects,
  MemoryBlobStore,
  recordResultValue,
  submitJob,
  SwarmDoc,
  taskKeyOf,
  ValueStore,
  encodeAndAddress,
  type TaskKey,
} from '@tessera/core'
import { signedCacheEntry, SimClock, SimPeer, SimulatedNetwork } from '@tessera/core/testing'
import { writeRaw } from './support/forge.ts'

const square = definePure(({ x }: { x: number }) => x * x, { name: 'square' })
const keyOfX = (x: number): TaskKey => taskKeyOf(square.address, addressOf({ x }))

describe('a swarm compacts its cache into the tree', () => {
  it('compacts as results arrive; a late joiner holds a small document and reads a compacted result through node fetches', async () => {
    const random = prng.create(5)
    const clock = new SimClock()
    const network = new SimulatedNetwork(clock, random, { minDelayMs: 2, maxDelayMs: 30, dropRate: 0, reorderRate: 0.05 })
    const compactCache = { threshold: 20, checkEveryMs: 400, staggerMs: 800 }
    const host = new SimPeer({ name: 'host', network, clock, random })
    const donors = [0, 1, 2].map((i) => new SimPeer({ name: `donor-${i}`, network, clock, random, compactCache, donor: { duration: () => prng.int32(random, 5, 20) } }))
    const xs = Array.from({ length: 120 }, (_, x) => x)
    const id = asJobId('squares')
    const job = new JobDoc(id, await host.openDoc(jobDocGuid(id)))
    await submitJob(host.swarm, host.values, { id, fn: square, argsList: xs.map((x) => ({ x })), identity: host.identity, now: clock.now(), job })
    // Done once every result is cached somewhere a reader looks, and at least two compactions have folded entries in.
    let done = false
    const check = async (): Promise<void> => {
      const found = await Promise.all(xs.map((x) => host.values.compacted.cached(keyOfX(x))))
      done = found.every((entry) => entry !== undefined) && host.swarm.liveEpoch() >= 3 && host.swarm.cacheTreeRoots().length > 0
      if (!done) clock.setTimeout(() => void check(), 500)
    }
    clock.setTimeout(() => void check(), 500)
    await clock.runUntil(() => done, 120_000)
    expect(host.swarm.cache.size).toBeLessThan(xs.length)
    for (const donor of donors) donor.kill()

    const late = new SimPeer({ name: 'late', network, clock, random })
    await clock.runUntil(() => late.swarm.cacheTreeRoots().length > 0 && late.swarm.liveEpoch() === host.swarm.liveEpoch(), clock.now() + 30_000)
    const compactedX = xs.find((x) => late.swarm.cached(keyOfX(x)) === undefined)!
    expect(compactedX).toBeDefined()
    const entry = await late.values.compacted.cached(keyOfX(compactedX))
    if (entry?.kind !== 'value') throw new Error(`no compacted entry for x = ${compactedX}`)
    expect(await late.values.get(entry.result)).toBe(compactedX * compactedX)
    // The nodes came from other peers (the donors are gone: the host kept what it read), checked and kept here.
    expect(late.blobs.fetched).toBeGreaterThan(0)
    const fetched = late.blobs.fetched
    expect(await late.values.compacted.cached(keyOfX(compactedX))).toEqual(entry)
    expect(late.blobs.fetched).toBe(fetched)
    // The joiner's document holds roots and the uncompacted rest, not every result: fewer entries,
    // and fewer bytes than every result's entry written by key.
    const everyResult = new SwarmDoc()
    const entries = await Promise.all(xs.map(async (x) => [keyOfX(x), await host.values.compacted.cached(keyOfX(x))] as const))
    everyResult.transact(() => entries.forEach(([key, entry]) => cacheOutcome(everyResult, key, entry!, keysAsSubjects)))
    expect(late.swarm.cache.size).toBeLessThan(xs.length)
    expect(Y.encodeStateAsUpdate(late.swarm.doc).byteLength).toBeLessThan(Y.encodeStateAsUpdate(everyResult.doc).byteLength)
    await host.close()
    await late.close()
  })

  it('two peers that compact at once converge: the same root from the same document, and one root of the union after the next compaction', async () => {
    const alice = Identity.fromSeed('compaction-alice')
    const blobs = new MemoryBlobStore()
    const [a, b] = [new SwarmDoc(new Y.Doc()), new SwarmDoc(new Y.Doc())]
    const sync = (): void => {
      Y.applyUpdate(b.doc, Y.encodeStateAsUpdate(a.doc, Y.encodeStateVector(b.doc)))
      Y.applyUpdate(a.doc, Y.encodeStateAsUpdate(b.doc, Y.encodeStateVector(a.doc)))
    }
    const [va, vb] = [new ValueStore(a, blobs), new ValueStore(b, blobs)]
    const write = (swarm: SwarmDoc, values: ValueStore, from: number, to: number): void =>
      swarm.transact(() => {
        for (let x = from; x < to; x++) {
          const { address, bytes } = encodeAndAddress(x * x)
          recordResultValue(swarm, address, bytes, values.inlineLimit)
          cacheOutcome(swarm, keyOfX(x), signedCacheEntry([alice], keyOfX(x), { kind: 'value', result: address }), keysAsSubjects)
        }
      })
    const options = (self: string) => ({ threshold: 10, self: self as never, now: () => 1, subjectOf: keysAsSubjects })
    write(a, va, 0, 20)
    sync()
    // Both open epoch 1 (nothing sealed yet), then the entries of epoch 0 are sealed.
    await compactCache(a, va.compacted.tree, options('a'))
    await compactCache(b, vb.compacted.tree, options('b'))
    sync()
    write(a, va, 20, 40)
    sync()
    const [ra, rb] = [await compactCache(a, va.compacted.tree, options('a')), await compactCache(b, vb.compacted.tree, options('b'))]
    expect(ra).toBeDefined()
    expect(rb).toBe(ra)
    sync()
    expect(a.cacheTreeRoots().map((r) => r.root)).toEqual([ra])
    // Now they see different documents: each wrote entries the other has not seen, and each seals its own.
    write(a, va, 40, 60)
    write(b, vb, 60, 70)
    expect(await compactCache(a, va.compacted.tree, options('a'))).toBe(await compactCache(b, vb.compacted.tree, options('b')))
    write(a, va, 70, 85)
    write(b, vb, 85, 95)
    const [ra2, rb2] = [await compactCache(a, va.compacted.tree, options('a')), await compactCache(b, vb.compacted.tree, options('b'))]
    expect(ra2).not.toBe(rb2)
    sync()
    expect(a.cacheTreeRoots()).toHaveLength(2)
    // A stranger's root that nobody serves neither stops the next compaction nor any lookup.
    const bogus = addressOf('a root nobody serves')
    writeRaw(a.cacheRoots, '99/1', { root: bogus, count: 5, at: 0, by: 'stranger' })
    write(a, va, 95, 110)
    sync()
    const merged = await compactCache(a, va.compacted.tree, options('a'))
    sync()
    expect(b.cacheTreeRoots().map((r) => r.root).sort()).toEqual([merged, bogus].sort())
    expect(b.cacheTreeRoots().find((r) => r.root === merged)?.count).toBe(95)
    for (let x = 0; x < 110; x++) {
      const entry = await vb.compacted.cached(keyOfX(x))
      expect(entry?.kind === 'value' && (await vb.get(entry.result))).toBe(x * x)
    }
  })

  it('a single burst of results leaves the document once its epoch has been sealed for sealAfterMs, with no more results arriving', async () => {
    const random = prng.create(11)
    const clock = new SimClock()
    const network = new SimulatedNetwork(clock, random, { minDelayMs: 2, maxDelayMs: 30, dropRate: 0, reorderRate: 0.05 })
    const host = new SimPeer({ name: 'host', network, clock, random, compactCache: { threshold: 20, checkEveryMs: 400, staggerMs: 800, sealAfterMs: 5_000 } })
    const donors = [0, 1].map((i) => new SimPeer({ name: `donor-${i}`, network, clock, random, donor: { duration: () => prng.int32(random, 5, 20) } }))
    const xs = Array.from({ length: 60 }, (_, x) => x)
    const id = asJobId('one-burst')
    const job = new JobDoc(id, await host.openDoc(jobDocGuid(id)))
    await submitJob(host.swarm, host.values, { id, fn: square, argsList: xs.map((x) => ({ x })), identity: host.identity, now: clock.now(), job })
    await clock.runUntil(() => xs.every((x) => host.swarm.cached(keyOfX(x)) !== undefined), 60_000)
    // The burst fills epoch 0; the first compaction only opens epoch 1, and nothing more arrives to fill it.
    await clock.runUntil(() => host.swarm.liveEpoch() === 1, clock.now() + 30_000)
    const opened = clock.now()
    expect(host.swarm.cache.size).toBe(xs.length)
    await clock.runUntil(() => host.swarm.cache.size === 0, opened + 20_000)
    // Folded no sooner than sealAfterMs after the epoch changed, and writers stay in the live epoch.
    expect(clock.now() - opened).toBeGreaterThanOrEqual(5_000)
    expect(host.swarm.liveEpoch()).toBe(1)
    expect(host.swarm.cacheTreeRoots()).toHaveLength(1)
    for (const x of xs) {
      const entry = await host.values.compacted.cached(keyOfX(x))
      expect(entry?.kind === 'value' && (await host.values.get(entry.result))).toBe(x * x)
    }
    // The donors' documents agree: the entries left theirs too.
    await clock.runUntil(() => donors.every((d) => d.swarm.cache.size === 0), clock.now() + 10_000)
    for (const peer of [host, ...donors]) await peer.close()
  })

  it.each([
    { keepTrees: true, what: 'another compacting peer kept every node, so a late joiner reads every result' },
    { keepTrees: false, what: 'without keepers, the results folded on the compactor alone are misses' },
  ])('the compactor leaves: $what', async ({ keepTrees }) => {
    const random = prng.create(23)
    const clock = new SimClock()
    const network = new SimulatedNetwork(clock, random, { minDelayMs: 2, maxDelayMs: 30, dropRate: 0, reorderRate: 0.05 })
    const host = new SimPeer({ name: 'host', network, clock, random })
    const compactor = new SimPeer({ name: 'compactor', network, clock, random, compactCache: { threshold: 20, checkEveryMs: 400, staggerMs: 100, sealAfterMs: 2_000 } })
    // Its stagger is so long that it never compacts first: it only keeps (or not).
    const keeper = new SimPeer({ name: 'keeper', network, clock, random, compactCache: { threshold: 20, checkEveryMs: 400, staggerMs: 1e9, keepTrees } })
    const donors = [0, 1].map((i) => new SimPeer({ name: `donor-${i}`, network, clock, random, donor: { duration: () => prng.int32(random, 5, 20) } }))
    const xs = Array.from({ length: 120 }, (_, x) => x)
    const id = asJobId(`kept-${keepTrees}`)
    const job = new JobDoc(id, await host.openDoc(jobDocGuid(id)))
    await submitJob(host.swarm, host.values, { id, fn: square, argsList: xs.map((x) => ({ x })), identity: host.identity, now: clock.now(), job })
    // The job done and every result folded into one tree; then the keeper has walked it (or would have).
    await clock.runUntil(() => host.jobs.get(id)?.isFinished() === true && keeper.swarm.cacheTreeRoots().length === 1 && keeper.swarm.cache.size === 0, 60_000)
    const root = keeper.swarm.cacheTreeRoots()[0]!.root
    const walked = clock.now() + 2_000
    await clock.runUntil(() => (keepTrees ? keeper.compactor?.keeper?.holds(root) === true : clock.now() >= walked), clock.now() + 30_000)
    for (const peer of [host, compactor, ...donors]) peer.kill()

    const late = new SimPeer({ name: 'late', network, clock, random })
    await clock.runUntil(() => late.swarm.cacheTreeRoots().length === 1, clock.now() + 30_000)
    let found = 0
    for (const x of xs) {
      const entry = await late.values.compacted.cached(keyOfX(x)).catch(() => undefined)
      if (entry?.kind === 'value' && (await late.values.get(entry.result)) === x * x) found++
    }
    expect(found).toBe(keepTrees ? xs.length : 0)
    await keeper.close()
    await late.close()
  })
})
