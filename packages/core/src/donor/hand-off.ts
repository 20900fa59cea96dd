import type { PeerId, TaskKey } from '../ids.ts'
import { claimDecision, type ClaimDecision } from '../scheduler/claims.ts'
import { priorityOf } from '../scheduler/priority.ts'
import { taskPhase } from '../scheduler/task-phase.ts'
import type { JobIndex } from '../swarm/job-index.ts'
import type { TaskId } from '../swarm/schema.ts'
import type { DependencyGate } from './dependency-gate.ts'
import type { InputLocality } from './input-locality.ts'
import type { Slot } from './write-back.ts'

export interface HandOffOptions {
  readonly self: PeerId
  readonly now: number
  readonly skewMs: number
  readonly workers: number
  /** How many to take: the donor's free workers, at least one. */
  readonly free: number
  /** Tasks to leave alone although unblocked (the cache answers them, another job computes their key). */
  readonly skips: (view: JobIndex, task: TaskId) => boolean
  /** Bytes of the task's blob inputs held here (`input-locality.ts`): of two tasks, the one with less to fetch goes first. */
  readonly locality?: Pick<InputLocality, 'heldHere'>
}

/**
 * The claims a donor makes of the tasks its result for `key` unblocks, to run
 * next without the settle window (`Donor`): no other peer can have seen them
 * unblocked before this result's report goes out, which is after these
 * claims. The highest priority (the submitter's critical path, `priority.ts`,
 * when they are all one submitter's) comes first, then those whose other inputs are held here, then those that
 * more tasks wait on (the longer path, where that is all that is known). Only
 * `free` of them: the rest are left for other peers, so a fan-out spreads over
 * the swarm instead of queueing behind one worker.
 */
export function handOffClaims(deps: DependencyGate, open: readonly JobIndex[], key: TaskKey, o: HandOffOptions): { chosen: Array<{ view: JobIndex; decision: ClaimDecision }>; waiting: number } {
  const dependents = deps.dependentsOf(open, key)
  const unblocked = dependents.filter(({ view, task }) => !view.cancelled && !deps.blocked(view, task))
  // A priority is its submitter's word on its own graph: it ranks tasks only when one submitter's tasks wait here.
  const oneSubmitter = new Set(unblocked.map(({ view }) => view.spec.submittedBy)).size <= 1
  const ranked = unblocked
    .map((c) => ({ ...c, priority: oneSubmitter ? priorityOf(c.view, c.task) : 0, bytes: o.locality?.heldHere(c.view, c.task) ?? 0, held: deps.heldInputs(c.view, c.task), waiting: waitingOn(deps, c.view, c.task) }))
    .sort((a, b) => b.priority - a.priority || b.bytes - a.bytes || b.held - a.held || b.waiting - a.waiting)
  const chosen: Array<{ view: JobIndex; decision: ClaimDecision }> = []
  for (const { view, task } of ranked) {
    if (chosen.length >= o.free) break
    const phase = taskPhase(view, task, o.now, { skewMs: o.skewMs })
    const decision = claimDecision(view, task, phase, { self: o.self, now: o.now, limit: 1, leaseMs: view.spec.leaseMs, workers: o.workers, skip: (t) => o.skips(view, t) })
    if (decision !== undefined) chosen.push({ view, decision })
  }
  // `waiting`: every task that names the key, taken here or not.
  return { chosen, waiting: dependents.length }
}

function waitingOn(deps: DependencyGate, view: JobIndex, task: TaskId): number {
  const key = view.task(task)?.key
  return key === undefined ? 0 : deps.dependentsOf([view], key).length
}

/**
 * How much work a donor can expect beyond what it holds: a chain link it took
 * by hand-off (the only task waiting on its result) with more of the chain
 * below it (priority above 0) will likely hand it the next link when it
 * finishes, ahead of anything it claims meanwhile. Each such chain counts as
 * one worker's share of the low-water mark (`perWorker`), so a donor on a
 * chain claims batches for its other workers only, and leaves the rest to
 * other donors instead of queueing them behind the chain, where nobody runs
 * them until it ends. Only chains: where a result unblocks several tasks (a
 * Cholesky step), counting them stopped donors claiming ahead and cost 4 % in
 * the simulator.
 */
export function chainsAhead(held: Iterable<Slot>, jobs: (job: Slot['job']) => JobIndex | undefined, perWorker: number): number {
  let ahead = 0
  for (const slot of held) {
    const view = slot.chainLink === true ? jobs(slot.job) : undefined
    if (view !== undefined && priorityOf(view, slot.task) > 0) ahead += perWorker
  }
  return ahead
}
