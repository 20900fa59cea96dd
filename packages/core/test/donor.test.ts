import { describe, expect, it } from 'vitest'
import {
  asJobId,
  asPeerId,
  definePure,
  Donor,
  JobDoc,
  JobIndex,
  MemoryBlobStore,
  MemoryExecutor,
  putReport,
  submitJob,
  SwarmDoc,
  ValueStore,
  Identity,
} from '@tessera/core'
import { SimClock, signedReport } from '@tessera/core/testing'

describe('Donor', () => {
  it('caches an accepted result whose reporter died before caching it, after a grace period', async () => {
    const clock = new SimClock()
    const swarm = new SwarmDoc()
    const values = new ValueStore(swarm, new MemoryBlobStore())
    const square = definePure(({ x }: { x: number }) => x * x, { name: 'square' })
    const job = new JobDoc(asJobId('j'))
    const { spec } = await submitJob(swarm, values, { id: job.id, fn: square, argsList: [{ x: 3 }], identity: Identity.fromSeed('host'), now: 0, job })
    const index = new JobIndex(job, spec)
    // What a reporter that died mid-write leaves: the value and the report, but no cache entry.
    const result = await values.put(9)
    const key = index.task('0')?.key
    if (key === undefined) throw new Error('no task')
    const dead = Identity.fromSeed('dead')
    putReport(job, '0', signedReport(dead, key, { kind: 'value', result }, { durationMs: 5 }))
    expect(index.isFinished()).toBe(true)
    expect(swarm.cached(key)).toBeUndefined()

    const donor = new Donor({
      identity: Identity.fromSeed('survivor'),
      swarm,
      values,
      executor: new MemoryExecutor(),
      jobs: (id) => (id === job.id ? index : undefined),
      clock,
      reportFlushMs: 100,
      random: () => 0.5,
    })
    donor.start()
    // Not at once: the reporter may still be writing it.
    await clock.runUntil(() => clock.now() >= 300, 300)
    expect(swarm.cached(key)).toBeUndefined()
    await clock.runUntil(() => swarm.cached(key) !== undefined, 2_000)
    donor.stop()
    expect(swarm.cached(key)).toMatchObject({ kind: 'value', result, proofs: [{ peer: dead.peer }] })
    expect(donor.runs).toBe(0)
  })
})
