import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import {
  addressOf,
  asJobId,
  definePure,
  dropJob,
  INLINE_VALUE_LIMIT,
  JobDoc,
  JobIndex,
  TASK_PACK_SIZE,
  loadFunction,
  MAX_TRANSACTION_BYTES,
  MemoryBlobStore,
  submitJob,
  SwarmDoc,
  ValueStore,
  Identity,
} from '@tessera/core'
import { simulateJob } from '@tessera/core/testing'

const host = Identity.fromSeed('host')
const square = definePure(({ x }: { x: number }) => x * x, { name: 'square' })

function captureUpdates(doc: Y.Doc): number[] {
  const sizes: number[] = []
  doc.on('update', (update: Uint8Array) => sizes.push(update.byteLength))
  return sizes
}

describe('the value store', () => {
  it('keeps small values inline in the swarm document and large ones as blobs', async () => {
    const swarm = new SwarmDoc()
    const blobs = new MemoryBlobStore()
    const values = new ValueStore(swarm, blobs)
    const small = await values.put({ x: 1 })
    const large = await values.put(new Float64Array(10_000))
    expect(swarm.value(small)?.inline).toBeInstanceOf(Uint8Array)
    expect(await blobs.has(small)).toBe(false)
    expect(swarm.value(large)).toEqual({ size: expect.any(Number) })
    expect(swarm.value(large)?.size).toBeGreaterThan(INLINE_VALUE_LIMIT)
    expect(await blobs.has(large)).toBe(true)
    expect(await values.get(small)).toEqual({ x: 1 })
    expect(await values.get(large)).toEqual(new Float64Array(10_000))
  })

  it('refuses inline bytes that do not match their address, and reports missing values clearly', async () => {
    const swarm = new SwarmDoc()
    const values = new ValueStore(swarm, new MemoryBlobStore())
    const address = addressOf('honest')
    swarm.doc.getMap('values').set(address, { size: 3, inline: new Uint8Array([1, 2, 3]) })
    await expect(values.get(address)).rejects.toMatchObject({ name: 'IntegrityError' })
    await expect(values.get(addressOf('absent'))).rejects.toMatchObject({ name: 'BlobNotFoundError' })
  })
})

describe('submitting a job', () => {
  it('stores the function source under the function address, checked on the way out', async () => {
    const swarm = new SwarmDoc()
    const values = new ValueStore(swarm, new MemoryBlobStore())
    const { spec } = await submitJob(swarm, values, { id: asJobId('j'), fn: square, argsList: [{ x: 2 }], identity: host, now: 0 })
    expect(spec.fn).toBe(square.address)
    expect(await loadFunction(values, spec.fn)).toEqual({ name: 'square', source: square.source, address: square.address })
  })

  it('never writes a Yjs update larger than the transaction cap, however large the job', async () => {
    const swarm = new SwarmDoc()
    const job = new JobDoc(asJobId('big'))
    const swarmUpdates = captureUpdates(swarm.doc)
    const jobUpdates = captureUpdates(job.doc)
    const argsList = Array.from({ length: 20_000 }, (_, i) => ({ x: i, label: `task number ${i}` }))
    const submitted = submitJob(swarm, new ValueStore(swarm, new MemoryBlobStore()), { id: job.id, fn: square, argsList, identity: host, now: 0, job })
    await submitted
    // In packs of TASK_PACK_SIZE consecutive tasks, every one of them readable.
    expect(job.tasks.size).toBe(20_000 / TASK_PACK_SIZE)
    const { spec } = await submitted
    expect([...new JobIndex(job, spec).taskIds()]).toHaveLength(20_000)
    expect(Y.encodeStateAsUpdate(job.doc).byteLength).toBeGreaterThan(500_000)
    expect(Math.max(...swarmUpdates, ...jobUpdates)).toBeLessThanOrEqual(MAX_TRANSACTION_BYTES + 4_096)
  })

  it('refuses a function whose source does not match its address', async () => {
    const swarm = new SwarmDoc()
    const forged = { ...square, source: '({ x }) => x + 1' }
    await expect(
      submitJob(swarm, new ValueStore(swarm, new MemoryBlobStore()), { id: asJobId('j'), fn: forged, argsList: [], identity: host, now: 0 }),
    ).rejects.toMatchObject({ name: 'AddressError' })
  })
})

describe('finished jobs', () => {
  it('can be dropped: the swarm document keeps the cache, not the churn', async () => {
    const argsList = Array.from({ length: 200 }, (_, x) => ({ x }))
    const result = await simulateJob({ seed: 3, peers: 8, fn: square, argsList, dyingFraction: 0.25, job: { leaseMs: 2_000 } })
    const peer = result.live[0]
    const view = peer?.jobs.get(result.job)
    if (peer === undefined || view === undefined) throw new Error('no live peer')
    const jobBytes = Y.encodeStateAsUpdate(view.job.doc).byteLength
    // Every result once; a peer may also have filled in one whose reporter died (another entry of the same key).
    const distinct = (swarm: SwarmDoc): number => new Set(swarm.cache.keys()).size
    expect(distinct(peer.swarm)).toBe(200)

    dropJob(peer.swarm, result.job, view.job)
    const late = new SwarmDoc(new Y.Doc())
    Y.applyUpdate(late.doc, Y.encodeStateAsUpdate(peer.swarm.doc))
    expect(late.jobs.size).toBe(0)
    expect(distinct(late)).toBe(200)
    const swarmBytes = Y.encodeStateAsUpdate(late.doc).byteLength
    // Claims, reports and failures went with the job document.
    expect(swarmBytes).toBeLessThan(jobBytes)
    // About 500 B per result, most of it the reporter's proof (signature and audit path).
    expect(swarmBytes / 200).toBeLessThan(600)
  })
})
