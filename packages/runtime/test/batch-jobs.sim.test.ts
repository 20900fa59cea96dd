import { describe, expect, it } from 'vitest'
import { CancelledError, JobOwnerError, DEFAULT_ADMISSION, ESTIMATED_BYTES_PER_TASK } from '@tessera/core'
import { SimSwarm } from './support/sim-swarm.ts'

const NETWORK = { minDelayMs: 2, maxDelayMs: 20, dropRate: 0.01 }

/** A batch larger than `maxTasksPerJob` is published as several jobs, each admitted and worked on by itself. */
describe('a large batch is cut into jobs', () => {
  it('runs a batch of 4 jobs to the right results, with progress over the whole batch', async () => {
    const sim = new SimSwarm({ seed: 3, donors: 4, conditions: NETWORK, taskDurationMs: [5, 30] })
    const host = sim.host('host', 0, 25)
    const square = host.pure(({ x }: { x: number }) => x * x, { name: 'square' })
    const xs = Array.from({ length: 100 }, (_, x) => x)
    let last = { done: 0, total: 0 }
    const totals = new Set<number>()
    const results = await sim.settle(square.parallel(xs.map((x) => ({ x })), { onProgress: (p) => ((last = p), totals.add(p.total)) }))
    expect(results).toEqual(xs.map((x) => x * x))
    expect(last).toMatchObject({ done: 100, total: 100 })
    expect([...totals]).toEqual([100])
    const jobs = host.jobs({ limit: 10 }).filter((job) => job.name === 'square')
    expect(jobs.map((job) => job.total)).toEqual([25, 25, 25, 25])
    // Every donor finished and marked every part done.
    await sim.wait(2_000)
    expect(host.jobs({ limit: 10 }).filter((job) => job.name === 'square').every((job) => job.state === 'done')).toBe(true)
    // A batch with some calls cached publishes only the rest: 10 new calls, one job.
    const more = await sim.settle(square.parallel(Array.from({ length: 110 }, (_, x) => ({ x }))))
    expect(more).toEqual(Array.from({ length: 110 }, (_, x) => x * x))
    expect(host.jobs({ limit: 10 }).filter((job) => job.name === 'square').map((job) => job.total).sort((a, b) => a - b)).toEqual([10, 25, 25, 25, 25])
    await sim.close([host])
  })

  it('cancels every job of a batch when the caller aborts, or when its submitter stops one of them; another host may not', async () => {
    const sim = new SimSwarm({ seed: 5, donors: 2, conditions: NETWORK, taskDurationMs: [20, 60] })
    const host = sim.host('host', 0, 40)
    const other = sim.host('other')
    const inc = host.pure(({ x }: { x: number }) => x + 1, { name: 'inc' })
    const controller = new AbortController()
    const aborted = inc.parallel(Array.from({ length: 200 }, (_, x) => ({ x })), { signal: controller.signal, onProgress: (p) => p.done >= 10 && controller.abort('enough') })
    await expect(sim.settle(aborted)).rejects.toBeInstanceOf(CancelledError)
    await sim.wait(3_000)
    const incJobs = other.jobs({ limit: 20 }).filter((job) => job.name === 'inc')
    expect(incJobs).toHaveLength(5)
    expect(incJobs.map((job) => job.state)).toEqual(Array(5).fill('cancelled'))

    const dec = host.pure(({ x }: { x: number }) => x - 1, { name: 'dec' })
    const stopped = dec.parallel(Array.from({ length: 200 }, (_, x) => ({ x })))
    let refusal: unknown
    sim.clock.setTimeout(() => {
      const one = other.jobs({ limit: 20 }).find((job) => job.name === 'dec' && job.state === 'open')
      if (one === undefined) return
      other.stopJob(one.id).then(
        () => (refusal = 'not refused'),
        (error: unknown) => (refusal = error),
      )
      void host.stopJob(one.id)
    }, 500)
    await expect(sim.settle(stopped)).rejects.toBeInstanceOf(CancelledError)
    expect(refusal).toBeInstanceOf(JobOwnerError)
    await sim.wait(3_000)
    expect(other.jobs({ limit: 20 }).filter((job) => job.name === 'dec').map((job) => job.state)).toEqual(Array(5).fill('cancelled'))
    await sim.close([host, other])
  })
})

describe('a donor works through a stranger\'s large batch holding only a few of its jobs', () => {
  it('never holds more than its quota of open jobs, plus the few it finished in the last seconds', async () => {
    const sim = new SimSwarm({ seed: 9, donors: 0, conditions: NETWORK, taskDurationMs: [1, 3] })
    const perTask = ESTIMATED_BYTES_PER_TASK
    // Room for three jobs of 1,000 tasks, as the default quota has room for about two and a half of 5,000.
    const admission = { ...DEFAULT_ADMISSION, maxOpenBytes: 3_000 * perTask }
    const victim = sim.addDonor(undefined, { admission, dropJobsAfterMs: 1_000, workers: 4 })
    const host = sim.host('stranger', 0, 1_000)
    const inc = host.pure(({ x }: { x: number }) => x + 1, { name: 'inc' })
    const xs = Array.from({ length: 20_000 }, (_, x) => x)
    let maxHeld = 0
    let maxOpen = 0
    const sample = (): void => {
      const held = victim.jobs.openJobs()
      maxHeld = Math.max(maxHeld, held.reduce((sum, index) => sum + index.spec.taskCount, 0))
      // Open: not finished here (its entry may still say open until its submitter signs it done).
      maxOpen = Math.max(maxOpen, held.filter((index) => !index.isFinished()).reduce((sum, index) => sum + index.spec.taskCount, 0))
      sim.clock.setTimeout(sample, 50)
    }
    sample()
    const results = await sim.settle(inc.parallel(xs.map((x) => ({ x }))), 600_000)
    expect(results).toEqual(xs.map((x) => x + 1))
    expect(victim.donor?.runs).toBe(20_000)
    console.log(`[large batch] 20,000 tasks in 20 jobs: the donor held at most ${maxOpen} tasks of open jobs and ${maxHeld} in all (~${((maxHeld * perTask) / 1e6).toFixed(1)} MB at ${perTask} B per task)`)
    expect(maxOpen).toBeLessThanOrEqual(3_000)
    expect(maxHeld).toBeLessThanOrEqual(6_000)
    await sim.close([host])
  })
})
