import { describe, expect, it } from 'vitest'
import { definePure, taskPhase } from '@tessera/core'
import { simulateJob } from '@tessera/core/testing'

const INF = Number.POSITIVE_INFINITY

describe('simulated swarm scenarios', () => {
  it('is deterministic: the same seed gives the same run, event for event', async () => {
    const square = definePure(({ x }: { x: number }) => x * x, { name: 'square' })
    const run = async (seed: number) => {
      const result = await simulateJob({
        seed,
        peers: 12,
        fn: square,
        argsList: Array.from({ length: 150 }, (_, x) => ({ x })),
        dyingFraction: 0.25,
        job: { leaseMs: 2_000 },
        linkFlaps: { everyMs: 100, downMs: [100, 1_000] },
      })
      const job = result.host.jobs.get(result.job)?.job
      return {
        virtualMs: result.virtualMs,
        deaths: result.deaths,
        flaps: result.flaps,
        runs: result.donors.map((d) => d.donor?.runs),
        claims: job?.claims.toJSON(),
        reports: job?.reports.toJSON(),
        failures: job?.failures.toJSON(),
      }
    }
    const first = await run(21)
    expect(await run(21)).toEqual(first)
    expect(await run(22)).not.toEqual(first)
  })

  it('keeps workers busy: no idle gap between tasks or between batches (virtual time)', async () => {
    const increment = definePure(({ x }: { x: number }) => x + 1, { name: 'increment' })
    const result = await simulateJob({
      seed: 1,
      peers: 2,
      fn: increment,
      argsList: Array.from({ length: 400 }, (_, x) => ({ x })),
      taskDurationMs: [50, 50],
      conditions: { minDelayMs: 2, maxDelayMs: 10, dropRate: 0 },
    })
    const view = result.host.jobs.get(result.job)
    if (view === undefined) throw new Error('no job view')
    const runs = result.donors.map((d) => d.donor?.runs ?? 0)
    expect(runs.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(404)
    // 400 tasks of 50 ms on 2 workers is 10 s of work; reports trail their runs by up to one flush.
    const lastReport = Math.max(...[...view.taskIds()].flatMap((task) => view.reports(task)).map((r) => r.at))
    expect(lastReport).toBeLessThan(10_000 * 1.1)
  })

  it('with quorum 2, accepts each result only once two distinct peers agree', async () => {
    const cube = definePure(({ x }: { x: number }) => x ** 3, { name: 'cube' })
    const result = await simulateJob({
      seed: 5,
      peers: 10,
      fn: cube,
      argsList: Array.from({ length: 100 }, (_, x) => ({ x })),
      dyingFraction: 0.1,
      job: { quorum: 2, leaseMs: 2_000 },
    })
    const view = result.host.jobs.get(result.job)
    if (view === undefined) throw new Error('no job view')
    for (let i = 0; i < 100; i++) {
      expect(taskPhase(view, String(i), INF)).toMatchObject({ phase: 'done', outcome: { kind: 'value' } })
      const agreeing = new Set(view.reports(String(i)).map((r) => r.peer))
      expect(agreeing.size).toBeGreaterThanOrEqual(2)
    }
  })

  it('caches a thrown error as the outcome of its task, with its name and message', async () => {
    const reciprocal = definePure(
      ({ x }: { x: number }) => {
        if (x % 7 === 0) throw new RangeError(`no reciprocal for ${x}`)
        return 1 / x
      },
      { name: 'reciprocal' },
    )
    const result = await simulateJob({
      seed: 9,
      peers: 8,
      fn: reciprocal,
      argsList: Array.from({ length: 50 }, (_, x) => ({ x })),
      job: { leaseMs: 2_000 },
    })
    const view = result.host.jobs.get(result.job)
    if (view === undefined) throw new Error('no job view')
    for (let x = 0; x < 50; x++) {
      const phase = taskPhase(view, String(x), INF)
      const cached = result.host.swarm.cached(view.task(String(x))?.key ?? ('' as never))
      if (x % 7 === 0) {
        const error = { name: 'RangeError', message: `no reciprocal for ${x}` }
        expect(phase).toMatchObject({ phase: 'done', outcome: { kind: 'thrown', error } })
        expect(cached).toMatchObject({ kind: 'failure', error })
      } else {
        expect(cached?.kind).toBe('value')
      }
    }
  })

  it('bounds the attempts of a task that always hangs, and finishes the others', async () => {
    const sometimesHangs = definePure(
      ({ x }: { x: number }) => (x === 13 ? new Promise<number>(() => {}) : x + 1),
      { name: 'sometimesHangs' },
    )
    const result = await simulateJob({
      seed: 13,
      peers: 6,
      fn: sometimesHangs,
      argsList: Array.from({ length: 40 }, (_, x) => ({ x })),
      job: { leaseMs: 5_000, timeoutMs: 1_000, maxAttempts: 3 },
    })
    const view = result.host.jobs.get(result.job)
    if (view === undefined) throw new Error('no job view')
    expect(taskPhase(view, '13', INF)).toMatchObject({ phase: 'failed', error: { name: 'TaskTimeoutError' } })
    expect(view.failures('13').filter((f) => f.kind === 'timeout')).toHaveLength(3)
    expect(result.host.swarm.cached(view.task('13')?.key ?? ('' as never))).toBeUndefined()
    for (let x = 0; x < 40; x++) if (x !== 13) expect(taskPhase(view, String(x), INF).phase).toBe('done')
  })
})
