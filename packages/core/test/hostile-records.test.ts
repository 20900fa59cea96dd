import * as prng from 'lib0/prng'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  addressOf,
  addressOfBytes,
  admittedJobs,
  asJobId,
  asPeerId,
  CBOR_CODEC,
  checkJobEntry,
  isValidJobSpec,
  type Address,
  DEFAULT_ADMISSION,
  definePure,
  Donor,
  isAddress,
  parseAddress,
  JobDoc,
  JobIndex,
  MemoryBlobStore,
  MemoryExecutor,
  RAW_CODEC,
  submitJob,
  SwarmDoc,
  ValueStore,
  type JobEntry,
  Identity,
} from '@tessera/core'
import { SimClock } from '@tessera/core/testing'
import * as Y from 'yjs'

const rejections: unknown[] = []
const onRejection = (reason: unknown): void => {
  rejections.push(reason)
}
beforeAll(() => process.on('unhandledRejection', onRejection))
afterAll(() => process.off('unhandledRejection', onRejection))

const square = definePure(({ x }: { x: number }) => x * x, { name: 'square' })

/** Values a stranger might write where a record belongs: wrong types, wrong ranges, huge, near-valid. */
function garbage(random: prng.PRNG, near: Record<string, unknown>): unknown {
  const atoms: unknown[] = [
    null,
    undefined,
    true,
    0,
    -1,
    1.5,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    1e300,
    '',
    'not-an-address',
    'x'.repeat(100_000),
    [],
    [1, 2, 3],
    {},
    new Uint8Array(200_000),
    { '/': 'x' },
    addressOf('some value'),
  ]
  if (prng.bool(random)) return prng.oneOf(random, atoms)
  // A record with one field broken: the hardest kind to spot.
  const keys = Object.keys(near)
  const key = prng.oneOf(random, [...keys, 'extra'])
  const broken: Record<string, unknown> = { ...near, [key]: prng.oneOf(random, atoms) }
  if (prng.int32(random, 0, 9) === 0) for (let i = 0; i < 40; i++) broken[`f${i}`] = i
  return broken
}

describe('records checked before use', () => {
  it('an address is checked by its spelling exactly as isAddress and parseAddress check our two codecs', () => {
    const random = prng.create(7)
    for (let i = 0; i < 2_000; i++) {
      const codec = prng.bool(random) ? CBOR_CODEC : RAW_CODEC
      const address = addressOfBytes(prng.uint8Array(random, 8), codec)
      // The fields' check alone (`isValidJobSpec`): a real entry must also carry its submitter's signature.
      const spec = { id: asJobId('j'), fn: address, name: 'f', taskCount: 1, quorum: 1, maxAttempts: 1, maxLostLeases: 1, leaseMs: 1, timeoutMs: 1, submittedBy: asPeerId('p'), createdAt: 0 }
      expect(isValidJobSpec(spec)).toBe(true)
      // One character changed anywhere: the check and isAddress agree.
      const at = prng.int32(random, 0, address.length - 1)
      const mutated = address.slice(0, at) + prng.oneOf(random, [...'abcdefghijklmnopqrstuvwxyz234567A1']) + address.slice(at + 1)
      // Records carry addresses as we write them, in lower case; isAddress also takes upper-case base32.
      const ours = isAddress(mutated) && [CBOR_CODEC, RAW_CODEC].includes(parseAddress(mutated).code) && mutated === mutated.toLowerCase()
      expect(isValidJobSpec({ ...spec, fn: mutated as Address })).toBe(ours)
    }
  })

  it('a donor over documents full of malformed records: nothing throws, no rejection is unhandled, and the valid job completes right', async () => {
    const random = prng.create(13)
    const clock = new SimClock()
    const swarm = new SwarmDoc()
    const values = new ValueStore(swarm, new MemoryBlobStore())
    const job = new JobDoc(asJobId('honest'))
    const argsList = Array.from({ length: 30 }, (_, x) => ({ x }))
    const { spec } = await submitJob(swarm, values, { id: job.id, fn: square, argsList, identity: Identity.fromSeed('host'), now: 0, job })
    const index0 = new JobIndex(job, spec)
    // Near-valid records, each with one thing that can never pass (a key that does not match, a lease long past),
    // so that what is tested is the checking, not the integrity attacks that signatures (issue 14) stop.
    const sample = {
      job: { ...spec, id: 'another-id', state: 'open' },
      task: { index: 0, key: addressOf('k'), args: addressOf('a') },
      claim: { peer: 'p', attempt: 1, claimedAt: 0, leaseUntil: -1e15, batch: 1 },
      backup: { peer: 'p', startedAt: 0 },
      report: { peer: 'evil', attempt: 1, outcome: { kind: 'value', result: addressOf('wrong') }, durationMs: 1, at: 0 },
      failure: { peer: 'p', attempt: 1, kind: 'timeout', error: { name: 'E', message: 'm' }, at: 0 },
      cache: { kind: 'value', result: addressOf('r') },
      holder: { at: 0 },
    }
    let written = 0
    const write = (doc: { getMap(name: string): { set(key: string, value: unknown): void } }, map: string, key: string, near: Record<string, unknown>): void => {
      doc.getMap(map).set(key, garbage(random, near))
      written++
    }
    // Raw writes into every map, as a peer running other code would make them.
    swarm.doc.transact(() => {
      for (let i = 0; i < 60; i++) {
        write(swarm.doc, 'jobs', prng.oneOf(random, [`evil-${i}`, 'é'.repeat(70), '../x', '']), sample.job)
        write(swarm.doc, 'cache', `evil-${i}`, sample.cache)
        write(swarm.doc, 'values', prng.oneOf(random, [`evil-${i}`, addressOf(i)]), { size: 3 })
        write(swarm.doc, 'holders', `${addressOf(i)}/evil-${i}`, sample.holder)
      }
    })
    job.doc.transact(() => {
      for (let i = 0; i < 60; i++) {
        const task = prng.oneOf(random, ['0', '29', '30', '-1', '1e3', '007', 'x', ''])
        write(job.doc, 'tasks', prng.oneOf(random, ['30', '31', '-1', 'x', '1.5']), sample.task)
        write(job.doc, 'claims', task, sample.claim)
        write(job.doc, 'backups', task, sample.backup)
        write(job.doc, 'reports', `${task}/evil-${i}`, { ...sample.report, peer: `not-evil-${i}` })
        write(job.doc, 'failures', `${task}/${i + 50}`, { ...sample.failure, attempt: i + 5_000 })
        write(job.doc, 'control', prng.oneOf(random, ['cancelled', 'other']), { value: 1 })
      }
    })
    // Packs of cache entries naming the job's own task keys with wrong results, in a forger's shard:
    // they must neither throw nor stand in the way of the honest entries for those keys.
    const honestKeys = argsList.map((_, i) => index0.task(String(i))!.key)
    const samplePack = {
      keys: honestKeys.slice(0, 8),
      results: honestKeys.slice(0, 8).map((_, i) => addressOf(`wrong ${i}`)),
      signers: [{ peer: 'evil', sig: 'A'.repeat(86), size: 8, leaves: [0, 1, 2, 3, 4, 5, 6, 7], nodes: '' }],
    }
    const forgerShard = new Y.Map<unknown>()
    swarm.doc.getMap('cacheShards').set('0/4242', forgerShard)
    swarm.doc.transact(() => {
      for (let i = 0; i < 60; i++) {
        forgerShard.set(`#evil-${i}`, i === 0 ? samplePack : garbage(random, samplePack))
        written++
      }
    })
    // The exact reported case, and one whose tasks name args nobody holds.
    swarm.doc.getMap('jobs').set('evil-fn', { ...sample.job, id: 'evil-fn', fn: 'not-an-address' })

    const index = new JobIndex(job, spec)
    expect([...swarm.jobEntries()].map((e) => e.id)).toEqual(['honest'])
    expect(index.openCount()).toBe(30)
    const errors: unknown[] = []
    const donor = new Donor({
      identity: Identity.fromSeed('donor'),
      swarm,
      values,
      executor: new MemoryExecutor(),
      jobs: (id) => (id === job.id ? index : undefined),
      clock,
      workers: 2,
      random: () => prng.real53(random),
      onError: (error) => errors.push(error),
    })
    donor.start()
    await clock.runUntil(() => index.isFinished(), 60_000)
    donor.stop()
    const results = await Promise.all(
      argsList.map(async (_, i) => {
        const task = index.task(String(i))
        const cached = task === undefined ? undefined : swarm.cached(task.key)
        return cached?.kind === 'value' ? values.get(cached.result) : undefined
      }),
    )
    expect(results).toEqual(argsList.map(({ x }) => x * x))
    expect(errors).toEqual([])
    expect(rejections).toEqual([])
    console.log(`[hostile records] ${written} malformed records in every map: donor alive, ${donor.runs} runs, 30/30 results right, unhandled rejections ${rejections.length}`)
  })

  it('admission: per submitter, the oldest open jobs that fit the quota; the rest are never opened', () => {
    const entry = (id: string, taskCount: number, createdAt: number): JobEntry => ({
      id: asJobId(id),
      fn: square.address,
      name: 'square',
      taskCount,
      quorum: 1,
      maxAttempts: 3,
      maxLostLeases: 8,
      leaseMs: 10_000,
      timeoutMs: 60_000,
      submittedBy: Identity.fromSeed('stranger').peer,
      createdAt,
      state: 'open',
      sig: 'unchecked',
    })
    // One job of 300,000 tasks is over the quota by itself.
    expect([...admittedJobs([entry('spam', 300_000, 0)], DEFAULT_ADMISSION)]).toEqual([])
    const many = Array.from({ length: 10 }, (_, i) => entry(`j${i}`, 10, 10 - i))
    expect([...admittedJobs(many, { ...DEFAULT_ADMISSION, maxOpenJobs: 4 })].sort()).toEqual(['j6', 'j7', 'j8', 'j9'])
    expect(admittedJobs(many, DEFAULT_ADMISSION).size).toBe(10)
    expect([...admittedJobs([entry('a', 12_000, 0), entry('b', 12_000, 1), entry('c', 10, 2)], DEFAULT_ADMISSION)]).toEqual(['a', 'c'])
  })
})
