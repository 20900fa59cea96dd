import { describe, expect, it } from 'vitest'
import { ThreadExecutor } from '@tessera/host'
import { CountingExecutor, useSwarms, waitFor } from './support/test-swarm.ts'

const start = useSwarms()

describe('the swarm API over a real mesh (Node peers, WebRTC over loopback)', () => {
  it('parallel on the swarm from a submit-only host: right results in order, then a rerun that executes nothing', async () => {
    const swarms = await start()
    const donorExecutors = [new CountingExecutor(), new CountingExecutor()]
    await swarms.connect({ workers: 2, executor: donorExecutors[0] })
    await swarms.connect({ workers: 2, executor: donorExecutors[1] })
    const host = await swarms.connect({ workers: 0 })
    await waitFor(() => host.peer.mesh.openPeers().length === 2)
    const square = host.pure(({ x }: { x: number }) => x * x, { name: 'square' })
    const args = Array.from({ length: 300 }, (_, x) => ({ x }))
    const progress: number[] = []
    const results = await square.parallel(args, { onProgress: (p) => progress.push(p.done) })
    expect(results).toEqual(args.map(({ x }) => x * x))
    const runs = donorExecutors.reduce((sum, e) => sum + e.runs, 0)
    expect(runs).toBeGreaterThanOrEqual(300)
    expect(progress.at(-1)).toBe(300)
    const again = await square.parallel(args, {
      onProgress: (p) => expect(p.cached).toBe(p.done),
    })
    expect(again).toEqual(results)
    expect(donorExecutors.reduce((sum, e) => sum + e.runs, 0)).toBe(runs)
    expect(host.status()).toMatchObject({ peers: 3, workers: 4 })
  })

  it('remote, submit and result, stream, errors, and local memoized calls', async () => {
    const swarms = await start()
    const donor = new CountingExecutor()
    await swarms.connect({ workers: 2, executor: donor })
    const local = new CountingExecutor()
    const host = await swarms.connect({ workers: 1, executor: local })
    await waitFor(() => host.peer.mesh.openPeers().length === 1)
    const cube = host.pure(({ x }: { x: number }) => x * x * x, { name: 'cube' })
    expect(await cube({ x: 3 })).toBe(27)
    expect(local.runs).toBe(1)
    expect(await cube({ x: 3 })).toBe(27)
    expect(local.runs).toBe(1)
    expect(await cube.remote({ x: 4 })).toBe(64)
    const ref = await cube.submit({ x: 5 })
    expect(String(ref)).toMatch(/^tessera:task:/)
    expect(await host.result(ref)).toBe(125)
    // Any host can redeem a reference, even one that joins afterwards.
    const other = await swarms.connect({ workers: 0 })
    expect(await other.result(await cube.submit({ x: 6 }))).toBe(216)
    expect(await other.result(ref)).toBe(125)
    await expect(other.result('tessera:task:nonsense')).rejects.toThrow(TypeError)
    const seen: number[] = []
    for await (const r of cube.stream([{ x: 1 }, { x: 2 }, { x: 3 }])) seen[r.index] = r.value
    expect(seen).toEqual([1, 8, 27])

    const safeSqrt = host.pure(({ x }: { x: number }) => {
      if (x < 0) throw new RangeError(`no real square root of ${x}`)
      return Math.sqrt(x)
    }, { name: 'safeSqrt' })
    await expect(safeSqrt.remote({ x: -1 })).rejects.toMatchObject({ name: 'RangeError', message: 'no real square root of -1' })
    const error = await safeSqrt.parallel([{ x: 4 }, { x: -1 }, { x: 9 }, { x: -2 }]).catch((e: unknown) => e as Error & { failures: Array<{ index: number }> })
    expect(error).toMatchObject({ name: 'ParallelError' })
    expect((error as { failures: Array<{ index: number }> }).failures.map((f) => f.index)).toEqual([1, 3])
    const settled = await safeSqrt.parallel([{ x: 4 }, { x: -1 }], { settle: true })
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected'])

    expect(() => (cube as unknown as (n: number) => unknown)(3)).toThrow(TypeError)
    await expect(cube.parallel([{ x: () => 1 } as unknown as { x: number }])).rejects.toMatchObject({ name: 'EncodingError' })
  })

  it('cancels through an AbortSignal and through cancel(): calls reject, donors stop, nothing over the size cap is queued', async () => {
    const swarms = await start()
    // Worker threads: a busy task must not block this process, where the host runs too.
    const donor = new CountingExecutor(new ThreadExecutor({ workers: 1 }))
    const donorSwarm = await swarms.connect({ workers: 1, executor: donor })
    const host = await swarms.connect({ workers: 0 })
    await waitFor(() => host.peer.mesh.openPeers().length === 1)
    const slow = host.pure(
      ({ x }: { x: number }) => {
        const until = Date.now() + 20
        while (Date.now() < until) {
          // burn 20 ms
        }
        return x
      },
      { name: 'slow' },
    )
    const controller = new AbortController()
    const batch = slow.parallel(
      Array.from({ length: 200 }, (_, x) => ({ x })),
      { signal: controller.signal, onProgress: (p) => p.done >= 5 && controller.abort('enough') },
    )
    await expect(batch).rejects.toMatchObject({ name: 'CancelledError' })
    const states = [...host.peer.swarm.jobEntries()].map((j) => j.state)
    expect(states).toEqual(['cancelled'])
    // Once the donor has heard of the cancellation, only the task already running there may finish.
    await waitFor(() => [...donorSwarm.peer.swarm.jobEntries()].every((j) => j.state === 'cancelled'))
    await new Promise((resolve) => setTimeout(resolve, 100))
    const runsAfterCancel = donor.runs
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    // Whatever was already running may finish; nothing new starts.
    expect(donor.runs - runsAfterCancel).toBeLessThanOrEqual(1)
    expect(donor.runs).toBeLessThan(200)

    const second = slow.parallel(Array.from({ length: 200 }, (_, x) => ({ x: 1_000 + x })))
    await waitFor(() => donor.runs > runsAfterCancel + 2)
    await host.cancel()
    await expect(second).rejects.toMatchObject({ name: 'CancelledError' })
    expect([...host.peer.swarm.jobEntries()].every((j) => j.state === 'cancelled')).toBe(true)

    const jobsBefore = host.peer.swarm.jobs.size
    await expect(slow.parallel([{ x: 1 }, { x: new Float64Array(200_000) as unknown as number }])).rejects.toMatchObject({
      name: 'SizeLimitError',
      message: expect.stringMatching(/args\[1\] of "slow" encode to \d+ bytes, over the 1048576-byte cap/),
    })
    expect(host.peer.swarm.jobs.size).toBe(jobsBefore)
  })

  it('lists jobs with their progress; only its submitter can stop a job: its batch rejects, donors stop', async () => {
    const swarms = await start()
    const donor = new CountingExecutor(new ThreadExecutor({ workers: 1 }))
    const donorSwarm = await swarms.connect({ workers: 1, executor: donor })
    const submitter = await swarms.connect({ workers: 0 })
    const controller = await swarms.connect({ workers: 0 })
    await waitFor(() => submitter.peer.mesh.openPeers().length === 2 && controller.peer.mesh.openPeers().length === 2)
    const slow = submitter.pure(
      ({ x }: { x: number }) => {
        const until = Date.now() + 20
        while (Date.now() < until) {
          // burn 20 ms
        }
        return x
      },
      { name: 'slowJob' },
    )
    const batch = slow.parallel(Array.from({ length: 300 }, (_, x) => ({ x })))
    batch.catch(() => {})
    await waitFor(() => donor.runs >= 5)
    const listed = controller.jobs()
    expect(listed).toHaveLength(1)
    const job = listed[0]!
    expect(job).toMatchObject({ name: 'slowJob', state: 'open', total: 300, submittedBy: submitter.peer.id })
    expect(job.queued + job.running + job.done + job.failed).toBe(300)
    await waitFor(() => (controller.jobs()[0]?.done ?? 0) > 0)

    expect(await controller.stopJob('no-such-job')).toBe(false)
    // Another host holds another key: refused, and the job runs on.
    await expect(controller.stopJob(job.id)).rejects.toMatchObject({ name: 'JobOwnerError' })
    expect(controller.jobs()[0]?.state).toBe('open')
    expect(await submitter.stopJob(job.id)).toBe(true)
    await expect(batch).rejects.toMatchObject({ name: 'CancelledError' })
    await waitFor(() => controller.jobs()[0]?.state === 'cancelled')
    expect(controller.jobs()[0]?.state).toBe('cancelled')
    await waitFor(() => submitter.jobs()[0]?.state === 'cancelled' && donorSwarm.jobs()[0]?.state === 'cancelled')
    await new Promise((resolve) => setTimeout(resolve, 100))
    const runsAfterStop = donor.runs
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    expect(donor.runs - runsAfterStop).toBeLessThanOrEqual(1)
    expect(donor.runs).toBeLessThan(300)
    expect(await submitter.stopJob(job.id)).toBe(false)
  })
})
