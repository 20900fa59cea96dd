import { describe, expect, it } from 'vitest'
import { taskPhase, type TaskId } from '@tessera/core'
import { SimSwarm } from './support/sim-swarm.ts'

const LEASE_MS = 3_000
const TASKS = 8

/**
 * Trust scenario 12, its second half: a frozen tab runs nothing, sends nothing
 * and is told nothing, yet its links stay up (a frozen page keeps its
 * connections). Here a donor goes silent in the middle of its tasks; every
 * task it held must be claimed by another donor within one lease of the freeze.
 * (The first half, no false expiry in a hidden tab whose heartbeat comes from a
 * worker, needs a hidden tab, which headless Chromium does not make: see docs/trust.md.)
 */
describe('trust scenario 12: a frozen task is reclaimed within one lease', () => {
  it('moves every task the frozen donor held to another donor within leaseMs', async () => {
    const sim = new SimSwarm({ seed: 12, donors: 4, conditions: { minDelayMs: 2, maxDelayMs: 20, dropRate: 0 }, taskDurationMs: [2_500, 3_500] })
    const host = sim.host('host')
    const double = host.pure(({ x }: { x: number }) => 2 * x, { name: 'double', leaseMs: LEASE_MS })
    const frozen = sim.donors[0]
    if (frozen === undefined) throw new Error('no donor')
    const calls = double.parallel(Array.from({ length: TASKS }, (_, x) => ({ x })))
    let frozenAt = 0
    const held: TaskId[] = []
    // When the swarm took each task back (its lease lapsed: queued again), and when another donor claimed it.
    const requeuedAfter = new Map<TaskId, number>()
    const reclaimedAfter = new Map<TaskId, number>()
    // Freeze the donor 2 s in, while it runs its first task (it renewed the lease at half time, 1.5 s).
    const watch = (): void => {
      const view = host.jobs()[0] === undefined ? undefined : host.peer.jobs.get(host.jobs()[0]?.id as never)
      const now = sim.clock.now()
      if (view !== undefined && frozenAt === 0 && now > 2_000) {
        for (const task of view.openTasks()) {
          const phase = taskPhase(view, task, now)
          if (phase.phase === 'running' && phase.claim.peer === frozen.id) held.push(task)
        }
        if (held.length > 0) {
          frozenAt = now
          // Silent: no goodbye, no timers, nothing in or out; nobody is told.
          frozen.kill()
        }
      }
      if (view !== undefined && frozenAt > 0) {
        for (const task of held) {
          const phase = taskPhase(view, task, now)
          if (!requeuedAfter.has(task) && phase.phase !== 'running') requeuedAfter.set(task, now - frozenAt)
          const claim = view.claim(task)
          if (!reclaimedAfter.has(task) && claim !== undefined && claim.peer !== frozen.id) reclaimedAfter.set(task, now - frozenAt)
        }
      }
      if (reclaimedAfter.size < held.length || frozenAt === 0) sim.clock.setTimeout(watch, 10)
    }
    sim.clock.setTimeout(watch, 10)
    expect(await sim.settle(calls)).toEqual(Array.from({ length: TASKS }, (_, x) => 2 * x))
    expect(held.length).toBeGreaterThan(0)
    expect(reclaimedAfter.size).toBe(held.length)
    const requeued = Math.max(...requeuedAfter.values())
    const worst = Math.max(...reclaimedAfter.values())
    console.log(
      `[trust] scenario 12 (frozen, simulator): ${held.length} tasks held by the frozen donor; taken back within ${requeued} ms of the freeze, ` +
        `claimed by another donor within ${worst} ms (lease ${LEASE_MS} ms)`,
    )
    expect(requeued).toBeLessThanOrEqual(LEASE_MS)
    expect(worst).toBeLessThanOrEqual(LEASE_MS)
    await sim.close([host])
  })
})
