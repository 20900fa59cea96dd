import { describe, expect, it } from 'vitest'
import { outcomeId, taskPhase } from '@tessera/core'
import { SimSwarm } from './support/sim-swarm.ts'

const TASKS = 24
const LEASE_MS = 2_000
const CUT = { atMs: 1_500, forMs: 3 * LEASE_MS }

interface Trace {
  readonly results: number[]
  /** Per task, on the host: the accepted outcome and who reported, when. */
  readonly accepted: string[]
  readonly lateReturns: number
  readonly staleReports: number
  readonly maxProgress: number
  readonly streamedTwice: number
}

/**
 * Trust scenario 11: a worker returns after its lease expired. One donor of
 * four is cut off from everyone for three leases while it works; it goes on
 * running what it holds and reporting into its own replicas. Meanwhile the
 * others see its leases lapse, record the lost leases and run those tasks
 * again. At the heal its stale reports arrive. The final result must be the same
 * on every peer and from run to run, and nothing may be counted twice: every
 * call streams once, progress never passes the number of calls, the job counts
 * each task once.
 */
async function scenario(seed: number): Promise<Trace> {
  const sim = new SimSwarm({ seed, donors: 4, conditions: { minDelayMs: 2, maxDelayMs: 20, dropRate: 0 }, taskDurationMs: [800, 1_200] })
  const host = sim.host('host')
  const square = host.pure(({ x }: { x: number }) => x * x, { name: 'square', leaseMs: LEASE_MS })
  const returning = sim.donors[0]
  if (returning === undefined) throw new Error('no donor')
  sim.clock.setTimeout(() => sim.partition([returning.id], CUT.forMs), CUT.atMs)
  const seen = new Map<number, number>()
  let maxProgress = 0
  const streaming = (async () => {
    const calls = Array.from({ length: TASKS }, (_, x) => ({ x }))
    for await (const r of square.stream(calls, { onProgress: (p) => (maxProgress = Math.max(maxProgress, p.done)) })) {
      seen.set(r.index, (seen.get(r.index) ?? 0) + 1)
      expect(r.value).toBe(r.index * r.index)
    }
  })()
  await sim.settle(streaming)
  // Past the heal, and long enough for the stale reports to reach everyone.
  await sim.wait(Math.max(0, CUT.atMs + CUT.forMs - sim.clock.now()) + 3_000)
  const job = host.jobs().find((j) => j.name === 'square')
  expect(job).toMatchObject({ state: 'done', done: TASKS, failed: 0, total: TASKS })
  const view = host.peer.jobs.get(job?.id as never)
  if (view === undefined) throw new Error('the host has no view of its job')
  const live = [host.peer, ...sim.donors]
  let lateReturns = 0
  let staleReports = 0
  const accepted: string[] = []
  for (let x = 0; x < TASKS; x++) {
    const task = String(x)
    const phase = taskPhase(view, task, Number.POSITIVE_INFINITY)
    if (phase.phase !== 'done') throw new Error(`task ${x}: ${JSON.stringify(phase)}`)
    // The same accepted outcome on every peer, whatever order the late reports came in.
    for (const peer of live) {
      const theirs = peer.jobs.get(view.spec.id)
      const other = theirs === undefined ? undefined : taskPhase(theirs, task, Number.POSITIVE_INFINITY)
      expect(other?.phase === 'done' ? outcomeId(other.outcome) : other, `${peer.id}, task ${x}`).toBe(outcomeId(phase.outcome))
    }
    const reports = view.reports(task)
    // A late return: its lease was recorded lost, and its report came in all the same.
    const lost = view.failures(task).some((f) => f.kind === 'lease-expired' && f.peer === returning.id)
    if (lost && reports.some((r) => r.peer === returning.id)) lateReturns++
    staleReports += reports.filter((r) => r.peer === returning.id && r.at >= CUT.atMs && r.at < CUT.atMs + CUT.forMs).length
    accepted.push(`${outcomeId(phase.outcome)} ${reports.map((r) => `${r.peer}@${r.at}`).join(',')}`)
  }
  const results = Array.from({ length: TASKS }, (_, x) => x)
  const streamedTwice = [...seen.values()].filter((n) => n > 1).length
  expect(seen.size).toBe(TASKS)
  await sim.close([host])
  return { results: results.map((x) => (seen.has(x) ? x * x : -1)), accepted, lateReturns, staleReports, maxProgress, streamedTwice }
}

describe('trust scenario 11: a worker returns after its lease expired', () => {
  it('gives the same final result on every peer and every run, and counts nothing twice', async () => {
    const first = await scenario(11)
    expect(first.lateReturns).toBeGreaterThan(0)
    expect(first.streamedTwice).toBe(0)
    expect(first.maxProgress).toBe(TASKS)
    const again = await scenario(11)
    expect(again).toEqual(first)
    console.log(
      `[trust] scenario 11: a donor cut off for ${CUT.forMs / 1000} s (3 leases) returned with ${first.staleReports} reports made meanwhile, ` +
        `${first.lateReturns} for a task whose lease was recorded lost and run again; ` +
        `0 of ${TASKS} calls streamed twice, progress peaked at ${first.maxProgress} of ${TASKS}, job done ${TASKS} of ${TASKS}; the same accepted outcomes on all 5 peers and in a second run`,
    )
  })
})
