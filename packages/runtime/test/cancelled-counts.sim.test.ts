import { describe, expect, it } from 'vitest'
import { asJobId, CancelledError } from '@tessera/core'
import { SimSwarm } from './support/sim-swarm.ts'

const QUIET = { minDelayMs: 2, maxDelayMs: 20, dropRate: 0, reorderRate: 0 }
const LEASE_MS = 10_000

/**
 * After `cancel()`, the submitter's `status()` and `jobs()` and an onlooker's
 * `jobs()` stop counting the job's tasks as running at once, although the
 * donors' leases on them run for seconds more; and a job with failures says so
 * after its documents are let go.
 */
describe('counts after cancel', () => {
  it('drops a cancelled job’s running tasks to 0 on the submitter and on another host', async () => {
    const sim = new SimSwarm({ seed: 16, donors: 6, conditions: QUIET, taskDurationMs: [4_000, 6_000] })
    const host = sim.host('submitter')
    const onlooker = sim.host('onlooker')
    const slow = host.pure(({ x }: { x: number }) => x, { name: 'slow', leaseMs: LEASE_MS })
    const run = slow.parallel(Array.from({ length: 30 }, (_, x) => ({ x })))
    run.catch(() => {})
    await sim.wait(1_500)
    expect(host.status().running).toBeGreaterThan(0)
    expect(onlooker.jobs()[0]?.running).toBeGreaterThan(0)

    await host.cancel()
    await expect(sim.settle(run)).rejects.toBeInstanceOf(CancelledError)
    await sim.wait(500)
    // Well inside the lease: the donors' claims still stand in the job document.
    expect(host.status()).toMatchObject({ running: 0, queued: 0 })
    expect(host.jobs()[0]).toMatchObject({ state: 'cancelled', running: 0, queued: 0 })
    expect(onlooker.jobs()[0]).toMatchObject({ state: 'cancelled', running: 0, queued: 0 })
    expect(onlooker.status()).toMatchObject({ running: 0, queued: 0 })
    await sim.close([host, onlooker])
  })

  it('keeps a finished job’s failed count after the job’s document is let go', async () => {
    const sim = new SimSwarm({ seed: 17, donors: 3, conditions: QUIET, taskDurationMs: [20, 60] })
    const host = sim.host('submitter')
    // A tab's way: it runs tasks, and lets a finished job's document go a second later.
    const onlooker = sim.host('onlooker', 1, undefined, { dropJobsAfterMs: 1_000 })
    const picky = host.pure(
      ({ x }: { x: number }) => {
        if (x % 10 === 3) throw new RangeError(`no ${x}`)
        return x
      },
      { name: 'picky' },
    )
    const settled = await sim.settle(picky.parallel(Array.from({ length: 30 }, (_, x) => ({ x })), { settle: true }))
    expect(settled.filter((s) => s.status === 'rejected')).toHaveLength(3)
    const id = host.jobs()[0]?.id ?? ''
    const seen = (): unknown => onlooker.jobs().find((job) => job.id === id)
    await sim.wait(200)
    expect(seen()).toMatchObject({ state: 'done', done: 27, failed: 3 })
    // Long after every peer let the finished job's document go.
    await sim.wait(60_000)
    expect(onlooker.peer.jobs.get(asJobId(id))).toBeUndefined()
    expect(seen()).toMatchObject({ state: 'done', done: 27, failed: 3 })
    await sim.close([host, onlooker])
  })
})
