import { describe, expect, it } from 'vitest'
import {
  asJobId,
  asPeerId,
  definePure,
  Donor,
  JobDoc,
  JobIndex,
  MemoryBlobStore,
  SwarmDoc,
  ValueStore,
  submitJob,
  type Execution,
  type Executor,
  type KeywordArgs,
  Identity,
} from '@tessera/core'
import { SimClock } from '@tessera/core/testing'

/** Runs `x * x` in 20 ms of simulated time, and records how many runs overlap. */
class TimedExecutor implements Executor {
  running = 0
  mostAtOnce = 0
  constructor(private readonly clock: SimClock) {}
  run(_fn: unknown, args: KeywordArgs): Promise<Execution> {
    this.running++
    this.mostAtOnce = Math.max(this.mostAtOnce, this.running)
    return new Promise((resolve) =>
      this.clock.setTimeout(() => {
        this.running--
        resolve({ kind: 'value', value: (args['x'] as number) ** 2, durationMs: 20 })
      }, 20),
    )
  }
  async close(): Promise<void> {}
}

async function setUp(tasks: number) {
  const clock = new SimClock()
  const swarm = new SwarmDoc()
  const values = new ValueStore(swarm, new MemoryBlobStore())
  const square = definePure(({ x }: { x: number }) => x * x, { name: 'square' })
  const job = new JobDoc(asJobId('j'))
  const argsList = Array.from({ length: tasks }, (_, x) => ({ x }))
  const { spec } = await submitJob(swarm, values, { id: job.id, fn: square, argsList, identity: Identity.fromSeed('host'), now: 0, job })
  const index = new JobIndex(job, spec)
  const executor = new TimedExecutor(clock)
  const donor = new Donor({ identity: Identity.fromSeed('tab'), swarm, values, executor, jobs: (id) => (id === job.id ? index : undefined), clock, random: () => 0 })
  return { clock, index, executor, donor }
}

describe('Donor: pause, resume and the worker count', () => {
  it('pausing stops claiming; what it holds still runs and reports; resuming finishes the job', async () => {
    const { clock, index, donor } = await setUp(200)
    donor.start()
    await clock.runUntil(() => donor.runs >= 10, 10_000)
    donor.pause()
    // What it held runs and is reported: nothing it claimed is left running or lapsing.
    await clock.runUntil(() => donor.held === 0 && index.settledLog().length === donor.runs, 10_000)
    const runsWhenPaused = donor.runs
    expect(donor.held).toBe(0)
    expect(index.settledLog().length).toBe(runsWhenPaused)
    const later = clock.now() + 5_000
    await clock.runUntil(() => clock.now() >= later, later + 1_000)
    expect(donor.runs).toBe(runsWhenPaused)
    expect(index.isFinished()).toBe(false)

    donor.resume()
    await clock.runUntil(() => index.isFinished(), 60_000)
    donor.stop()
    expect(donor.runs).toBe(200)
  })

  it('runs as many tasks at once as setWorkers says', async () => {
    const { clock, index, executor, donor } = await setUp(300)
    donor.start()
    await clock.runUntil(() => donor.runs >= 20, 10_000)
    expect(executor.mostAtOnce).toBe(1)
    donor.setWorkers(3)
    await clock.runUntil(() => index.isFinished(), 60_000)
    donor.stop()
    expect(executor.mostAtOnce).toBe(3)
    expect(() => donor.setWorkers(0)).toThrow(RangeError)
  })
})
