import { describe, expect, it } from 'vitest'
import {
  asJobId,
  cancelJob,
  checkJobEntry,
  definePure,
  Identity,
  JobDoc,
  JobIndex,
  JobOwnerError,
  markJobDone,
  signJobEntry,
  MemoryBlobStore,
  submitJob,
  SwarmDoc,
  ValueStore,
  type JobEntry,
} from '@tessera/core'
import * as prng from 'lib0/prng'
import { SimClock, SimPeer, SimulatedNetwork } from '@tessera/core/testing'
import { writeRaw } from './support/forge.ts'

const square = definePure(({ x }: { x: number }) => x * x, { name: 'square' })
const [alice, mallory] = [Identity.fromSeed('alice'), Identity.fromSeed('mallory')]

async function aliceJob(): Promise<{ swarm: SwarmDoc; job: JobDoc; entry: JobEntry }> {
  const swarm = new SwarmDoc()
  const job = new JobDoc(asJobId('j'))
  await submitJob(swarm, new ValueStore(swarm, new MemoryBlobStore()), { id: job.id, fn: square, argsList: [{ x: 1 }, { x: 2 }], identity: alice, now: 0, job })
  const entry = swarm.job(job.id)
  if (entry === undefined) throw new Error('the job was not listed')
  return { swarm, job, entry }
}

describe('a job belongs to its submitter\'s key', () => {
  it('lists a job only with its submitter\'s signature over every field', async () => {
    const { entry } = await aliceJob()
    expect(checkJobEntry('j', entry)).toBeDefined()
    // Any field changed, an entry re-signed by another key, or one in another's name: none counts.
    expect(checkJobEntry('j', { ...entry, taskCount: 3 })).toBeUndefined()
    expect(checkJobEntry('j', { ...entry, quorum: 2 })).toBeUndefined()
    expect(checkJobEntry('j', { ...entry, state: 'cancelled' })).toBeUndefined()
    expect(checkJobEntry('j', { ...entry, submittedBy: mallory.peer })).toBeUndefined()
    const { sig: _, ...unsigned } = entry
    expect(checkJobEntry('j', unsigned)).toBeUndefined()
  })

  it('only the submitter\'s key cancels or finishes it', async () => {
    const { swarm, job } = await aliceJob()
    expect(() => cancelJob(swarm, job.id, mallory, job)).toThrow(JobOwnerError)
    markJobDone(swarm, job.id, mallory)
    expect(swarm.job(job.id)?.state).toBe('open')
    expect(cancelJob(swarm, job.id, alice, job)).toBe(true)
    expect(swarm.job(job.id)?.state).toBe('cancelled')
    expect(cancelJob(swarm, job.id, alice, job)).toBe(false)
  })

  it('a cancellation a stranger writes into the job\'s documents stops nobody', async () => {
    const { swarm, job, entry } = await aliceJob()
    const index = new JobIndex(job, entry)
    // The stranger signs a cancelled entry of its own for this job, and writes it where the submitter's would go.
    const forged = signJobEntry(mallory, { ...entry, submittedBy: mallory.peer }, 'cancelled')
    expect(checkJobEntry('j', forged)).toBeDefined()
    writeRaw(job.control, 'cancelled', forged)
    writeRaw(job.control, 'cancelled', true)
    writeRaw(swarm.jobs, job.id, { ...entry, state: 'cancelled' })
    expect(index.cancelled).toBe(false)
    // The jobs entry was overwritten with one that fails its check: readers see no job rather than a cancelled one.
    expect(swarm.job(job.id)).toBeUndefined()
    const fresh = new SwarmDoc()
    writeRaw(fresh.jobs, job.id, entry)
    expect(cancelJob(fresh, job.id, alice, job)).toBe(true)
    expect(index.cancelled).toBe(true)
    index.close()
  })
})

describe('an overwritten job entry', () => {
  it('stays open on the peers that hold it, and its submitter writes the signed entry back', async () => {
    const clock = new SimClock()
    const network = new SimulatedNetwork(clock, prng.create(5))
    const [host, donor, stranger] = ['host', 'donor', 'stranger'].map((name) => new SimPeer({ name, network, clock, random: prng.create(1), syncIntervalMs: 300 })) as [SimPeer, SimPeer, SimPeer]
    const job = new JobDoc(asJobId('j'), await host.openDoc('tessera/job/j'))
    await submitJob(host.swarm, host.values, { id: job.id, fn: square, argsList: [{ x: 1 }], identity: host.identity, now: 0, job })
    await clock.runUntil(() => donor.jobs.get(job.id) !== undefined && stranger.swarm.job(job.id) !== undefined, 10_000)
    const entry = stranger.swarm.job(job.id)!
    writeRaw(stranger.swarm.jobs, job.id, { ...entry, state: 'cancelled' })
    // Everyone gets the forgery, then the host's signed entry back.
    await clock.runUntil(() => donor.swarm.jobs.get(job.id) !== entry && donor.swarm.job(job.id)?.state === 'open' && stranger.swarm.job(job.id)?.state === 'open', clock.now() + 10_000)
    expect(donor.jobs.get(job.id)?.cancelled).toBe(false)
    expect(host.swarm.job(job.id)).toEqual(entry)
    for (const peer of [host, donor, stranger]) await peer.close()
  })
})
