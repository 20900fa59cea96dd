import { describe, expect, it } from 'vitest'
import {
  addressOf,
  addTasks,
  asJobId,
  cacheOutcome,
  definePure,
  keysAsSubjects,
  Identity,
  JobDoc,
  JobIndex,
  MemoryBlobStore,
  MemoryExecutor,
  putReport,
  signOutcomes,
  submitJob,
  SwarmDoc,
  taskKeyOf,
  ValueStore,
  verifyOutcome,
  Donor,
  type CacheEntry,
  type Outcome,
  type TaskKey,
} from '@tessera/core'
import { SimClock, signedCacheEntry, signedReport } from '@tessera/core/testing'
import { forgeCache, writeRaw } from './support/forge.ts'

const [alice, bob, carol, mallory] = ['alice', 'bob', 'carol', 'mallory'].map((name) => Identity.fromSeed(name)) as [Identity, Identity, Identity, Identity]
const keyOf = (i: number): TaskKey => taskKeyOf(addressOf('fn'), addressOf({ i }))
const valueOf = (v: unknown): Outcome => ({ kind: 'value', result: addressOf(v) })

describe('signed outcomes', () => {
  it('one signature covers a batch, and each proof stands alone for its own statement only', () => {
    for (const size of [1, 2, 3, 7, 64, 100]) {
      const items = Array.from({ length: size }, (_, i) => ({ key: keyOf(i), outcome: valueOf(i * i) }))
      const proofs = signOutcomes(alice, items)
      expect(new Set(proofs.map((p) => p.sig)).size).toBe(1)
      items.forEach(({ key, outcome }, i) => {
        const proof = proofs[i]!
        expect(verifyOutcome(alice.peer, key, outcome, proof)).toBe(true)
        // Another outcome, another call, another signer, another place in the batch: all refused.
        expect(verifyOutcome(alice.peer, key, valueOf(-1), proof)).toBe(false)
        expect(verifyOutcome(alice.peer, keyOf(size + i), outcome, proof)).toBe(false)
        expect(verifyOutcome(bob.peer, key, outcome, proof)).toBe(false)
        if (size > 1) expect(verifyOutcome(alice.peer, key, outcome, { ...proof, leaf: (i + 1) % size })).toBe(false)
        expect(verifyOutcome(alice.peer, key, outcome, { ...proof, size: size + 1 })).toBe(false)
      })
    }
  })

  it('a thrown error is signed by name and message', () => {
    const thrown: Outcome = { kind: 'thrown', error: { name: 'RangeError', message: 'x < 0' } }
    const [proof] = signOutcomes(alice, [{ key: keyOf(1), outcome: thrown }])
    expect(verifyOutcome(alice.peer, keyOf(1), { kind: 'thrown', error: { name: 'RangeError', message: 'x < 0', stack: 'elsewhere' } }, proof!)).toBe(true)
    expect(verifyOutcome(alice.peer, keyOf(1), { kind: 'thrown', error: { name: 'RangeError', message: 'x < 1' } }, proof!)).toBe(false)
    expect(verifyOutcome(alice.peer, keyOf(1), { kind: 'thrown', error: { name: 'Range', message: 'Error x < 0' } }, proof!)).toBe(false)
  })

  it('a proof copied under another id (signed again by someone else, or replayed) is refused', () => {
    const entry = signedCacheEntry([alice], keyOf(1), valueOf(1))
    const stolen = { ...entry, proofs: [{ ...entry.proofs[0]!, peer: mallory.peer }] }
    const swarm = new SwarmDoc()
    writeRaw(swarm.cacheShards.legacy!, keyOf(1), stolen)
    expect(swarm.cached(keyOf(1))).toBeUndefined()
    // The same entry filed under another call's key.
    writeRaw(swarm.cacheShards.legacy!, keyOf(2), entry)
    expect(swarm.cached(keyOf(2))).toBeUndefined()
  })
})

describe('the cache serves only proven entries, by the caller\'s policy', () => {
  it('ignores 50 unsigned and 50 badly signed entries written over honest ones, and the honest one comes back', () => {
    const swarm = new SwarmDoc()
    const keys = Array.from({ length: 50 }, (_, i) => keyOf(i))
    for (const [i, key] of keys.entries()) cacheOutcome(swarm, key, signedCacheEntry([alice], key, valueOf(i)), keysAsSubjects)
    forgeCache(swarm, keys, (key, i) => ({ kind: 'value', result: addressOf(`forged ${i}`) }))
    expect(keys.filter((key) => swarm.cached(key) !== undefined)).toHaveLength(0)
    forgeCache(swarm, keys, (key, i) => ({ ...signedCacheEntry([mallory], key, valueOf(`forged ${i}`)), result: addressOf(`other ${i}`) }))
    expect(keys.filter((key) => swarm.cached(key) !== undefined)).toHaveLength(0)
    // An honest donor writing the entry again restores it (a forged entry counts as none).
    for (const [i, key] of keys.entries()) cacheOutcome(swarm, key, signedCacheEntry([alice], key, valueOf(i)), keysAsSubjects)
    expect(keys.every((key, i) => swarm.cached(key)?.kind === 'value' && (swarm.cached(key) as { result: string }).result === addressOf(i))).toBe(true)
  })

  it('a caller asking for quorum 2 is not served an entry one stranger signed, but is served its own and a quorum\'s', () => {
    const swarm = new SwarmDoc()
    const policy = { quorum: 2, trusted: new Set([alice.peer]) }
    cacheOutcome(swarm, keyOf(1), signedCacheEntry([mallory], keyOf(1), valueOf('lie')), keysAsSubjects)
    cacheOutcome(swarm, keyOf(2), signedCacheEntry([alice], keyOf(2), valueOf(2)), keysAsSubjects)
    cacheOutcome(swarm, keyOf(3), signedCacheEntry([bob, carol], keyOf(3), valueOf(3)), keysAsSubjects)
    expect(swarm.cached(keyOf(1), policy)).toBeUndefined()
    expect(swarm.cached(keyOf(1))).toBeDefined()
    expect(swarm.cached(keyOf(2), policy)).toBeDefined()
    expect(swarm.cached(keyOf(3), policy)).toBeDefined()
    // More replicas strengthen the weak entry, and the honest outcome with more signers replaces the lie.
    cacheOutcome(swarm, keyOf(1), signedCacheEntry([bob, carol], keyOf(1), valueOf(1)), keysAsSubjects)
    expect(swarm.cached(keyOf(1), policy)).toMatchObject({ result: addressOf(1) })
  })

  it('refuses an entry that lists one signer twice', () => {
    const swarm = new SwarmDoc()
    const once = signedCacheEntry([mallory], keyOf(1), valueOf('lie'))
    writeRaw(swarm.cacheShards.legacy!, keyOf(1), { ...once, proofs: [once.proofs[0]!, once.proofs[0]!] } satisfies CacheEntry)
    expect(swarm.cached(keyOf(1))).toBeUndefined()
  })
})

describe('reports and tasks', () => {
  const square = definePure(({ x }: { x: number }) => x * x, { name: 'square' })

  it('a report counts only with its reporter\'s valid proof, even when it arrives before its task', async () => {
    const swarm = new SwarmDoc()
    const values = new ValueStore(swarm, new MemoryBlobStore())
    const source = new JobDoc(asJobId('j'))
    const { spec } = await submitJob(swarm, values, { id: source.id, fn: square, argsList: [{ x: 2 }, { x: 3 }], identity: alice, now: 0, job: source })
    const tasks = [0, 1].map((i) => new JobIndex(source, spec).task(String(i))!)
    // A fresh document where reports land first.
    const job = new JobDoc(asJobId('j'))
    const index = new JobIndex(job, spec)
    putReport(job, '0', signedReport(bob, tasks[0]!.key, valueOf(4)))
    putReport(job, '1', { ...signedReport(mallory, tasks[1]!.key, valueOf(9)), outcome: valueOf(10) })
    expect(index.reports('0')).toEqual([])
    addTasks(job, tasks)
    expect(index.reports('0').map((r) => r.peer)).toEqual([bob.peer])
    expect(index.reports('1')).toEqual([])
    index.close()
  })

  it('laundering: a task whose key is not hash(function, arguments) is never run, reported or cached (0 of 30)', async () => {
    const clock = new SimClock()
    const swarm = new SwarmDoc()
    const values = new ValueStore(swarm, new MemoryBlobStore())
    const victimKeys = Array.from({ length: 30 }, (_, i) => taskKeyOf(addressOf('someone else\'s function'), addressOf({ x: i })))
    const job = new JobDoc(asJobId('launder'))
    const { spec } = await submitJob(swarm, values, { id: job.id, fn: square, argsList: victimKeys.map((_, x) => ({ x })), identity: mallory, now: 0, job })
    // The attacker's task records name the victim's calls.
    const honest = new JobIndex(job, spec)
    const forged = victimKeys.map((key, i) => ({ ...honest.task(String(i))!, key }))
    honest.close()
    addTasks(job, forged)
    const index = new JobIndex(job, spec)
    const donor = new Donor({ identity: bob, swarm, values, executor: new MemoryExecutor(), jobs: () => index, clock, random: () => 0 })
    donor.start()
    const until = clock.now() + 5_000
    await clock.runUntil(() => clock.now() >= until, until + 1)
    donor.stop()
    expect(donor.runs).toBe(0)
    expect(victimKeys.filter((key) => swarm.cached(key) !== undefined)).toHaveLength(0)
    console.log(`[verified results] laundering: 0 of ${victimKeys.length} victim keys run or cached (was 30 of 30)`)
  })
})
