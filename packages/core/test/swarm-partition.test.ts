import { describe, expect, it } from 'vitest'
import { decodeCanonical, definePure, outcomeId, taskPhase } from '@tessera/core'
import { simulateJob } from '@tessera/core/testing'

const INF = Number.POSITIVE_INFINITY
const TASKS = 96
const DONORS = 6
const SPLIT = { atMs: 5_000, forMs: 30_000, donors: 2 }

const affine = definePure(({ x }: { x: number }) => 7 * x + 1, { name: 'affine' })

/**
 * Trust scenario 13: the mesh is split for 30 s by fault injection in the
 * transport (every link between 2 donors and the host's side goes down, both ends
 * told, as the mesh does after missed heartbeats), then healed. The job runs
 * through it: about 40 s of work on 6 donors, each side claiming what the other
 * side's leases (10 s) leave. The documents must converge and no task may be lost.
 */
describe('trust scenario 13: a 30 s split of the mesh, then healed', () => {
  it('converges, and every task ends with one accepted, correct result on every peer', async () => {
    const result = await simulateJob({
      seed: 13,
      peers: DONORS,
      fn: affine,
      argsList: Array.from({ length: TASKS }, (_, x) => ({ x })),
      taskDurationMs: [2_000, 3_000],
      // Ticks of 200 ms rather than 50: a quarter of the simulation's cost, and nothing here needs them finer.
      donor: { tickMs: 200 },
      partition: SPLIT,
    })
    const healedAt = SPLIT.atMs + SPLIT.forMs
    // The split fell in the middle of the job: it finished only after the heal.
    expect(result.virtualMs).toBeGreaterThan(healedAt)
    expect(result.live).toHaveLength(DONORS + 1)
    const reference = result.host.jobs.get(result.job)
    if (reference === undefined) throw new Error('the host has no view of its job')
    // Each side computed during the split: the cut-off donors' reports reached the host's side only by the heal.
    const cutOff = new Set(result.donors.slice(0, SPLIT.donors).map((d) => d.id))
    let fromCutOff = 0
    const problems: string[] = []
    for (const peer of result.live) {
      const view = peer.jobs.get(result.job)
      if (view === undefined) {
        problems.push(`${peer.id}: no job view`)
        continue
      }
      for (let x = 0; x < TASKS; x++) {
        const task = String(x)
        const phase = taskPhase(view, task, INF)
        const accepted = taskPhase(reference, task, INF)
        if (phase.phase !== 'done' || phase.outcome.kind !== 'value' || accepted.phase !== 'done') {
          problems.push(`${peer.id} task ${x}: ${JSON.stringify(phase)}`)
          continue
        }
        if (outcomeId(phase.outcome) !== outcomeId(accepted.outcome)) problems.push(`${peer.id} task ${x}: accepted another outcome than the host`)
        const inline = peer.swarm.value(phase.outcome.result)?.inline
        if (inline === undefined || decodeCanonical(inline) !== 7 * x + 1) problems.push(`${peer.id} task ${x}: wrong or missing result`)
        const key = view.task(task)?.key
        if (key === undefined || peer.swarm.cached(key)?.kind !== 'value') problems.push(`${peer.id} task ${x}: not cached`)
        if (peer === result.host) fromCutOff += view.reports(task).filter((r) => cutOff.has(r.peer) && r.at < healedAt).length
      }
    }
    expect(problems.slice(0, 10)).toEqual([])
    expect(fromCutOff).toBeGreaterThan(0)
    const runs = result.donors.reduce((sum, d) => sum + (d.donor?.runs ?? 0), 0)
    console.log(
      `[trust] scenario 13: split ${SPLIT.forMs / 1000} s (${SPLIT.donors} of ${DONORS} donors cut off at ${SPLIT.atMs / 1000} s): ` +
        `0 of ${TASKS} tasks lost, ${result.live.length} of ${result.live.length} peers converged ${((result.virtualMs - healedAt) / 1000).toFixed(2)} s after the heal; ` +
        `${fromCutOff} results made on the cut-off side counted; ${runs - TASKS} runs repeated (${runs} for ${TASKS} tasks)`,
    )
  })
})
