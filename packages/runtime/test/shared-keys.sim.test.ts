import { describe, expect, it } from 'vitest'
import type { JobOptions } from '@tessera/core'
import { SimSwarm } from './support/sim-swarm.ts'

const TASKS = 60
const LAN = { minDelayMs: 2, maxDelayMs: 20, dropRate: 0, reorderRate: 0 }
const slowSquare = ({ x }: { x: number }) => x * x

interface Figures {
  readonly runs: number
  readonly virtualMs: number
  readonly right: boolean
}

/**
 * Pythagoras' tutorial: launch the same program on each computer and the
 * instances share the work. Each instance here is a host with one worker of
 * its own that calls `parallel` over the same 60 arguments (about 200 ms
 * each), as two `tessera run` of one module would; `instances` 1 is the same
 * program alone.
 */
async function sameProgram(seed: number, instances: number, options: { readonly jobDefaults?: JobOptions; readonly subjects?: 'shared' | 'own' } = {}): Promise<Figures> {
  const sim = new SimSwarm({ seed, donors: 0, conditions: LAN, taskDurationMs: [180, 220], ...(options.jobDefaults === undefined ? {} : { jobDefaults: options.jobDefaults }) })
  let runs = 0
  const hosts = Array.from({ length: instances }, (_, i) =>
    sim.host(`instance-${i}`, 1, undefined, { onRunStart: () => void runs++, ...(options.subjects === 'shared' ? { subject: 'local:this-machine' } : {}) }),
  )
  await sim.wait(500)
  const started = sim.clock.now()
  const xs = Array.from({ length: TASKS }, (_, x) => ({ x }))
  const results = await sim.settle(Promise.all(hosts.map((host) => host.pure(slowSquare, { name: 'slowSquare' }).parallel(xs))), 120_000)
  const virtualMs = sim.clock.now() - started
  const right = results.every((values) => values.every((value, x) => value === x * x))
  await sim.close(hosts)
  return { runs, virtualMs, right }
}

describe('one task key runs once in the swarm, whichever jobs ask for it', () => {
  it('two instances of one program share the work: each key runs about once, in about half the time of one instance', async () => {
    const alone = await sameProgram(7, 1)
    const two = await sameProgram(7, 2)
    console.log(`[figure] same program, 60 tasks of ~200 ms: alone ${alone.runs} runs in ${alone.virtualMs} ms; two instances ${two.runs} runs in ${two.virtualMs} ms (${(two.virtualMs / alone.virtualMs).toFixed(2)} of alone)`)
    expect(alone).toMatchObject({ runs: TASKS, right: true })
    expect(two.right).toBe(true)
    // Two jobs ask for every key; a few may still run twice where claims crossed in flight.
    expect(two.runs).toBeLessThanOrEqual(TASKS + 4)
    expect(two.virtualMs).toBeLessThan(alone.virtualMs * 0.7)
  })

  it('a task waiting on another job\'s claim takes the key over when that claimant dies', async () => {
    const sim = new SimSwarm({ seed: 17, donors: 0, conditions: LAN, taskDurationMs: [180, 220] })
    let runs = 0
    let deaths = 0
    for (let i = 0; i < 3; i++) {
      const doomed = i === 0
      const donor = sim.addDonor(() => {
        runs++
        if (!doomed || deaths > 0) return true
        deaths++
        donor.kill()
        return false
      })
    }
    const hosts = [sim.host('program-a'), sim.host('program-b')]
    await sim.wait(500)
    const xs = Array.from({ length: 20 }, (_, x) => ({ x }))
    const results = await sim.settle(Promise.all(hosts.map((host) => host.pure(slowSquare, { name: 'slowSquare', leaseMs: 2_000 }).parallel(xs))), 60_000)
    for (const values of results) expect(values).toEqual(xs.map(({ x }) => x * x))
    expect(deaths).toBe(1)
    // The dead donor's batch ran again once its leases lapsed; otherwise each key ran once for both programs.
    expect(runs).toBeLessThanOrEqual(20 + 8)
    await sim.close(hosts)
  })

  it('with adaptive replication, instances on one machine (one local: subject) take each other\'s results', async () => {
    const two = await sameProgram(11, 2, { jobDefaults: { adaptive: true }, subjects: 'shared' })
    expect(two.right).toBe(true)
    expect(two.runs).toBeLessThanOrEqual(TASKS + 4)
  })

  it('strangers (own subjects) with adaptive replication still check each other: a result taken from another\'s job needs a second subject', async () => {
    const two = await sameProgram(13, 2, { jobDefaults: { adaptive: true } })
    expect(two.right).toBe(true)
    // Each stranger's own run (or a second subject's) backs every result it takes; never more than both jobs run alone.
    expect(two.runs).toBeGreaterThan(TASKS)
    expect(two.runs).toBeLessThanOrEqual(TASKS * 2)
  })
})
