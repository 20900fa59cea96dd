import * as prng from 'lib0/prng'
import { describe, expect, it } from 'vitest'
import { CancelledError, JobOwnerError, encodeAndAddress, taskKeyOf, type TaskKey } from '@tessera/core'
import type { SimPeer } from '@tessera/core/testing'
import type { Settled, Swarm } from '@tessera/runtime'
import { SimSwarm } from './support/sim-swarm.ts'

const DONORS = 16
const KILLED = 3
const LOSSY = { minDelayMs: 2, maxDelayMs: 40, dropRate: 0.03, reorderRate: 0.05 }

interface Trace {
  readonly virtualMs: number
  readonly deaths: number
  readonly executed: number[]
  readonly jobs: string[]
}

/**
 * The whole public API over 20 simulated peers (16 donors, 2 hosts, 2 late
 * joiners), with donors dying mid-task, 3% of messages lost, and a partition
 * that cuts half the swarm and one host off for 4 s. Every result is checked.
 */
async function scenario(seed: number): Promise<Trace> {
  let deaths = 0
  const sim = new SimSwarm({ seed, donors: 0, conditions: LOSSY, taskDurationMs: [20, 120] })
  // The first donors die in the middle of a task, one each, chosen as runs start.
  for (let i = 0; i < DONORS; i++) {
    const doomed = i < KILLED
    const peer: SimPeer = sim.addDonor(() => {
      if (!doomed || !peer.alive || prng.real53(sim.random) > 0.3) return true
      deaths++
      peer.kill()
      return false
    })
  }
  const a = sim.host('host-a', 1)
  const b = sim.host('host-b')
  const hosts: Array<Swarm<SimPeer>> = [a, b]
  const square = a.pure(({ x }: { x: number }) => x * x, { name: 'square', leaseMs: 2_000 })
  const squareOnB = b.pure(({ x }: { x: number }) => x * x, { name: 'square', leaseMs: 2_000 })

  // parallel, through churn, loss, a partition and late joiners.
  const xs = Array.from({ length: 80 }, (_, x) => x)
  sim.clock.setTimeout(() => sim.partition([b.peer.id, ...sim.donors.slice(0, DONORS / 2).map((d) => d.id)], 4_000), 300)
  sim.clock.setTimeout(() => void [sim.addDonor(), sim.addDonor()], 1_000)
  const squares = await sim.settle(square.parallel(xs.map((x) => ({ x }))))
  expect(squares).toEqual(xs.map((x) => x * x))
  // Read your writes: a rerun straight after is answered from this host's cache. Nearly always
  // every call; but where two peers cached one key at the same time, the loser's write can vanish
  // here for a moment (Yjs applies its deletion before the winner's entry arrives), and that call
  // then goes to the swarm, whose donors see the entry and leave it to the cache.
  let rerun = { done: 0, cached: 0 }
  expect(await sim.settle(square.parallel(xs.map((x) => ({ x })), { onProgress: (p) => (rerun = p) })))
    .toEqual(squares)
  expect(rerun.done).toBe(80)
  expect(rerun.cached).toBeGreaterThanOrEqual(78)

  // stream: every result once, each as it lands.
  const streamed = new Map<number, number>()
  const streaming = (async () => {
    for await (const r of squareOnB.stream(xs.map((x) => ({ x: x + 100 })))) streamed.set(r.index, r.value)
  })()
  await sim.settle(streaming)
  expect([...streamed.keys()].sort((p, q) => p - q)).toEqual(xs)
  for (const [i, value] of streamed) expect(value).toBe((i + 100) ** 2)

  // remote, and a memoized call on the host's own worker, then from the cache.
  expect(await sim.settle(squareOnB.remote({ x: 5_000 }))).toBe(25_000_000)
  const hitsBefore = a.status().cacheHits
  expect(await sim.settle(square({ x: 12_345 }))).toBe(12_345 ** 2)
  expect(await sim.settle(square({ x: 12_345 }))).toBe(12_345 ** 2)
  expect(a.status().cacheHits).toBe(hitsBefore + 1)

  // submit here, result on another host.
  const ref = await sim.settle(square.submit({ x: 77 }))
  expect(String(ref)).toMatch(/^tessera:task:/)
  expect(await sim.settle(b.result<number>(ref))).toBe(77 * 77)

  // A thrown error is an outcome, settled per call with its name.
  const bounded = b.pure(
    ({ x }: { x: number }) => {
      if (x > 1) throw new RangeError(`too big: ${x}`)
      return x
    },
    { name: 'bounded' },
  )
  const mixed = (await sim.settle(bounded.parallel([{ x: 1 }, { x: 2 }], { settle: true }))) as Array<Settled<{ x: number }, number>>
  expect(mixed[0]).toMatchObject({ status: 'fulfilled', value: 1 })
  expect(mixed[1]?.status).toBe('rejected')
  expect((mixed[1] as { error: Error }).error).toMatchObject({ name: 'RangeError', message: 'too big: 2' })

  // cancel: the host's own batch rejects, and every peer sees the job cancelled.
  const inc = a.pure(({ x }: { x: number }) => x + 1, { name: 'inc' })
  const cancelled = inc.parallel(Array.from({ length: 300 }, (_, x) => ({ x })))
  sim.clock.setTimeout(() => void a.cancel(), 400)
  await expect(sim.settle(cancelled)).rejects.toBeInstanceOf(CancelledError)
  await sim.wait(5_000)
  const incJob = b.jobs().find((job) => job.name === 'inc')
  expect(incJob?.state).toBe('cancelled')

  // stopJob: only the submitter's key stops a job. Another host is refused; the submitter's stop rejects its call.
  const dec = b.pure(({ x }: { x: number }) => x - 1, { name: 'dec' })
  const stopped = dec.parallel(Array.from({ length: 300 }, (_, x) => ({ x })))
  let stopResult: boolean | undefined
  let refusal: unknown
  sim.clock.setTimeout(() => {
    const decJob = a.jobs().find((job) => job.name === 'dec' && job.state === 'open')
    if (decJob === undefined) return
    a.stopJob(decJob.id).then(
      () => (refusal = 'not refused'),
      (error: unknown) => (refusal = error),
    )
    void b.stopJob(decJob.id).then((ok) => (stopResult = ok))
  }, 1_000)
  await expect(sim.settle(stopped)).rejects.toBeInstanceOf(CancelledError)
  expect(refusal).toBeInstanceOf(JobOwnerError)
  expect(stopResult).toBe(true)

  // status and jobs, as a dashboard reads them.
  await sim.wait(5_000)
  const status = b.status()
  expect(status.peers).toBe(DONORS - deaths + 2 + 2)
  expect(status.workers).toBe(DONORS - deaths + 2 + 1)
  expect(status.cacheEntries).toBeGreaterThanOrEqual(80 + 80 + 1 + 1 + 1 + 2)
  const squareJob = b.jobs({ limit: 50 }).find((job) => job.name === 'square' && job.total === 80)
  expect(squareJob).toMatchObject({ state: 'done', done: 80, failed: 0 })

  // Every live peer's cache agrees with the truth for every parallel call.
  const fn = square.definition.address
  const live = [a.peer, b.peer, ...sim.donors.filter((d) => d.alive)]
  for (const peer of live) {
    for (const x of xs) {
      const key: TaskKey = taskKeyOf(fn, encodeAndAddress({ x }, 'args').address)
      const entry = peer.swarm.cached(key)
      expect(entry?.kind, `${peer.id}: x=${x}`).toBe('value')
      if (entry?.kind === 'value') expect(await peer.values.get(entry.result)).toBe(x * x)
    }
  }
  expect(deaths).toBe(KILLED)

  const trace: Trace = {
    virtualMs: sim.clock.now(),
    deaths,
    executed: sim.donors.map((d) => d.donor?.runs ?? 0),
    jobs: b.jobs({ limit: 50 }).map((job) => `${job.id}:${job.state}:${job.done}`),
  }
  await sim.close(hosts)
  return trace
}

describe('the public API on the simulator: 20 peers, churn, loss and a partition', () => {
  it('runs pure, parallel, stream, remote, submit, result, cancel, stopJob, status and jobs, and every result is right', async () => {
    const trace = await scenario(7)
    expect(trace.executed.filter((runs) => runs > 0).length).toBeGreaterThan(DONORS / 2)
  })

  it('is deterministic: the same seed gives the same run', async () => {
    expect(await scenario(11)).toEqual(await scenario(11))
  })
})
